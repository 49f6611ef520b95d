package dev.dropzone.gateway.cli;

import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Copies one file's plaintext out of its tree. The tree releases only authenticated segments, after
 * the object's format, identity and end were checked; this adds the last check the format offers:
 * the plaintext's SHA-256 against the digest its writer sealed, where one was recorded.
 */
final class VerifiedCopy {

  /** What was copied, and whether a recorded digest confirmed it. */
  record Copied(long bytes, boolean digestChecked) {}

  private VerifiedCopy() {}

  static Copied copy(FileTree tree, VirtualPath file, OutputStream out) throws IOException {
    MessageDigest sha256 = sha256();
    long bytes;
    try (InputStream in = tree.openRead(file, 0)) {
      bytes = in.transferTo(new DigestOutputStream(out, sha256));
    }
    out.flush();
    if (!(tree instanceof FileDigests digests)) {
      return new Copied(bytes, false);
    }
    Optional<byte[]> recorded = digests.digest(file);
    if (recorded.isEmpty()) {
      return new Copied(bytes, false);
    }
    if (!MessageDigest.isEqual(recorded.get(), sha256.digest())) {
      throw new StoreException(
          Reason.INTEGRITY,
          "integrity check failed: the plaintext's SHA-256 differs from the digest its writer"
              + " sealed");
    }
    return new Copied(bytes, true);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
