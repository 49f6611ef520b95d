package dev.dropzone.kek.format;

import java.util.Objects;

/**
 * What a v2 identity tag ({@code dz-mac}) binds an object to. The reader builds this from its
 * session (domain) and the path it asked for, never from the object's own claims, so an object
 * copied to another home or path, or carrying another object's body, does not verify.
 *
 * @param domain the key domain: the home as a relative key path, e.g. {@code users/alice}
 * @param path the file's path relative to the home, without a leading '/', e.g. {@code a/b.txt}
 * @param header the body's 40-byte Tink header (salt and nonce prefix name the body)
 * @param epoch the key epoch of the writer's key record (0 for objects upgraded from v1)
 * @param mtime modification time, milliseconds since the epoch
 */
public record ObjectIdentity(String domain, String path, byte[] header, long epoch, long mtime) {

  /** The constant that starts every identity tag input. */
  static final String PREFIX = "dropzone/v2";

  public ObjectIdentity {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(path, "path");
    header = ObjectHeader.check(header).clone();
    if (domain.isEmpty() || path.isEmpty() || path.startsWith("/")) {
      throw new IllegalArgumentException(
          "an identity needs a domain and a relative path, got '" + domain + "', '" + path + "'");
    }
  }

  @Override
  public byte[] header() {
    return header.clone();
  }

  /** This identity at another path: what a rename writes. */
  public ObjectIdentity at(String newPath) {
    return new ObjectIdentity(domain, newPath, header, epoch, mtime);
  }

  /** This identity with another modification time. */
  public ObjectIdentity modifiedAt(long newMtime) {
    return new ObjectIdentity(domain, path, header, epoch, newMtime);
  }

  /**
   * {@code "dropzone/v2" ‖ lp(domain) ‖ lp(path) ‖ lp(header) ‖ u64be(epoch) ‖ u64be(mtime)}, lp
   * being a u32 big-endian length before the UTF-8 bytes.
   */
  byte[] tagInput() {
    return new TagInput()
        .constant(PREFIX)
        .text(domain)
        .text(path)
        .bytes(header)
        .number(epoch)
        .number(mtime)
        .toByteArray();
  }

  @Override
  public String toString() {
    return "ObjectIdentity[" + domain + ", " + path + ", epoch " + epoch + ", mtime " + mtime + "]";
  }
}
