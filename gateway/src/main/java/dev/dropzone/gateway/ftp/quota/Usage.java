package dev.dropzone.gateway.ftp.quota;

import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * What a user's home holds: plaintext bytes and files. Measured by listing the whole tree (one
 * paged LIST per directory, sizes come from the listing, no HEAD for times and no key service), so
 * the cost grows with the number of files in the home.
 */
record Usage(long bytes, long files) {

  /**
   * Everything under the home except {@code excluded}, the file an upload is about to replace
   * (null: nothing is left out).
   */
  static Usage of(FileTree tree, VirtualPath excluded) throws IOException {
    long[] totals = new long[2];
    add(tree, VirtualPath.ROOT, excluded, totals);
    return new Usage(totals[0], totals[1]);
  }

  private static void add(FileTree tree, VirtualPath dir, VirtualPath excluded, long[] totals)
      throws IOException {
    try (Stream<FileInfo> entries = tree.listWithoutTimes(dir)) {
      Iterator<FileInfo> it = entries.iterator();
      while (it.hasNext()) {
        FileInfo entry = it.next();
        if (entry.directory()) {
          add(tree, entry.path(), excluded, totals);
        } else if (!entry.path().equals(excluded)) {
          totals[0] += entry.size();
          totals[1]++;
        }
      }
    }
  }
}
