package dev.dropzone.store.tree;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One page of a delimiter listing of {@code prefix}, read as directory entries whatever way the
 * server represented them: a subdirectory may come as a common prefix, as its marker object, or as
 * both; the listed directory's own marker, and the listed prefix returned as a common prefix, are
 * the directory itself, not entries; keys the delimiter should have rolled up become their first
 * path segment. Entries come in key order, each directory once.
 */
final class ListedPage {

  /**
   * One entry of the listed directory, named relative to it.
   *
   * @param name the entry's name (one path segment)
   * @param directory whether it is a subdirectory
   * @param size the listed object size (raw ciphertext length); 0 for directories
   * @param lastModified the object's or marker's time; null when the listing does not tell
   * @param eTag a file's ETag (which version of the object it is); null for directories
   */
  record Entry(String name, boolean directory, long size, Instant lastModified, String eTag) {}

  private final List<Entry> entries;
  private final boolean selfSeen;

  private ListedPage(List<Entry> entries, boolean selfSeen) {
    this.entries = entries;
    this.selfSeen = selfSeen;
  }

  /**
   * @param alreadyListed directory names the previous page listed, so a directory split across the
   *     page boundary (marker on one page, common prefix on the next) is listed once
   */
  static ListedPage of(ListObjectsV2Response page, String prefix, Set<String> alreadyListed) {
    List<Entry> entries = new ArrayList<>();
    Set<String> directories = new HashSet<>(alreadyListed);
    boolean self = false;
    for (S3Object object : page.contents()) {
      String key = object.key();
      if (!key.startsWith(prefix)) {
        continue;
      }
      String rest = key.substring(prefix.length());
      if (rest.isEmpty()) {
        self = true;
        continue;
      }
      int slash = rest.indexOf('/');
      if (slash < 0) {
        long size = object.size() == null ? 0 : object.size();
        entries.add(new Entry(rest, false, size, object.lastModified(), object.eTag()));
      } else {
        // Only a marker's own time is the directory's; a deeper key says nothing about it.
        Instant time = slash == rest.length() - 1 ? object.lastModified() : null;
        addDirectory(entries, directories, rest.substring(0, slash), time);
      }
    }
    for (CommonPrefix common : page.commonPrefixes()) {
      String key = common.prefix();
      if (key == null || !key.startsWith(prefix)) {
        continue;
      }
      String rest = key.substring(prefix.length());
      if (rest.isEmpty()) {
        self = true;
        continue;
      }
      int slash = rest.indexOf('/');
      addDirectory(entries, directories, slash < 0 ? rest : rest.substring(0, slash), null);
    }
    // S3 sorts by UTF-8 bytes; for names without surrogate pairs that is String order.
    entries.sort(Comparator.comparing(Entry::name));
    return new ListedPage(List.copyOf(entries), self);
  }

  private static void addDirectory(
      List<Entry> entries, Set<String> directories, String name, Instant time) {
    if (directories.add(name)) {
      entries.add(new Entry(name, true, 0, time, null));
      return;
    }
    if (time == null) {
      return;
    }
    // Seen as a common prefix first: keep the marker's time.
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      if (entry.directory() && entry.name().equals(name) && entry.lastModified() == null) {
        entries.set(i, new Entry(name, true, 0, time, null));
        return;
      }
    }
  }

  List<Entry> entries() {
    return entries;
  }

  /** Whether the page showed the listed directory itself (its marker or its own prefix). */
  boolean selfSeen() {
    return selfSeen;
  }

  /** The directory names on this page, for the next page's {@code alreadyListed}. */
  Set<String> directoryNames() {
    Set<String> names = new HashSet<>();
    for (Entry entry : entries) {
      if (entry.directory()) {
        names.add(entry.name());
      }
    }
    return names;
  }
}
