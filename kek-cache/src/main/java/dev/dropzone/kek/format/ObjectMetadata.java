package dev.dropzone.kek.format;

import dev.dropzone.kek.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code dz-*} metadata of a stored object, parsed and checked for shape: which format wrote
 * it, its wrapped key, and in v2 the fields its identity tag covers. Nothing here is trusted: a
 * reader verifies a v2 object's tag against the identity its own session expects before it
 * decrypts, and takes the key binding from the session, never from these fields.
 */
public sealed interface ObjectMetadata permits ObjectMetadata.V1, ObjectMetadata.V2 {

  /** The data key the body is encrypted with, as wrapped by the key service. */
  WrappedKey wrappedKey();

  /** The writer's user name: what a v1 key is bound to; in v2 informational only. */
  String user();

  /**
   * Reads the {@code dz-*} entries of {@code metadata}; other entries are ignored.
   *
   * @throws FormatException NOT_DROPZONE without {@code dz-format}, UNSUPPORTED for a format or
   *     algorithm this version does not know, DAMAGED when a field is missing or malformed
   */
  static ObjectMetadata parse(Map<String, String> metadata) throws FormatException {
    String format = metadata.get(ObjectFormat.META_FORMAT);
    if (format == null) {
      throw new FormatException(
          FormatException.Kind.NOT_DROPZONE,
          "it has no " + ObjectFormat.META_FORMAT + " metadata, so Dropzone did not write it");
    }
    String algorithm = metadata.get(ObjectFormat.META_ALGORITHM);
    boolean known = format.equals(ObjectFormat.VERSION_1) || format.equals(ObjectFormat.VERSION_2);
    if (!known || !ObjectFormat.ALGORITHM.equals(algorithm)) {
      throw new FormatException(
          FormatException.Kind.UNSUPPORTED,
          "object format " + format + " / " + algorithm + " is not supported by this version");
    }
    WrappedKey key = wrappedKey(metadata);
    if (format.equals(ObjectFormat.VERSION_1)) {
      return new V1(key, required(metadata, ObjectFormat.META_USER));
    }
    return new V2(
        key,
        text(metadata, ObjectFormat.META_USER),
        text(metadata, ObjectFormat.META_DOMAIN),
        number(metadata, ObjectFormat.META_EPOCH),
        bytes(metadata, ObjectFormat.META_HEADER, ObjectFormat.HEADER),
        number(metadata, ObjectFormat.META_MTIME),
        bytes(metadata, ObjectFormat.META_TAG, V2.TAG_BYTES),
        metadata.containsKey(ObjectFormat.META_DIGEST)
            ? bytes(metadata, ObjectFormat.META_DIGEST, DataKey.SEALED_DIGEST_BYTES)
            : null);
  }

  /** The bytes S3 counts against its 2 KB user-metadata limit: names and values, UTF-8. */
  static int size(Map<String, String> metadata) {
    int total = 0;
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      total += entry.getKey().getBytes(StandardCharsets.UTF_8).length;
      total += entry.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return total;
  }

  /**
   * Format v1: the key is wrapped for the user name in {@code dz-user}, and nothing binds the
   * object to its path.
   */
  record V1(WrappedKey wrappedKey, String user) implements ObjectMetadata {
    public V1 {
      Objects.requireNonNull(wrappedKey, "wrappedKey");
      Objects.requireNonNull(user, "user");
    }
  }

  /**
   * Format v2.
   *
   * @param domain the key domain the writer wrapped the key for ({@code dz-domain}); a hint for
   *     maintenance and for clear refusals, never the binding a reader unwraps with
   * @param epoch the key epoch of the writer's key record
   * @param header the body's 40-byte header ({@code dz-hdr})
   * @param mtime modification time, ms since the epoch
   * @param tag the identity tag ({@code dz-mac}), 32 bytes
   * @param sealedDigest the sealed plaintext SHA-256 ({@code dz-digest}), or null when absent
   */
  record V2(
      WrappedKey wrappedKey,
      String user,
      String domain,
      long epoch,
      byte[] header,
      long mtime,
      byte[] tag,
      byte[] sealedDigest)
      implements ObjectMetadata {

    static final int TAG_BYTES = 32;

    public V2 {
      Objects.requireNonNull(wrappedKey, "wrappedKey");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(domain, "domain");
      header = ObjectHeader.check(header).clone();
      if (tag.length != TAG_BYTES) {
        throw new IllegalArgumentException("an identity tag has 32 bytes, not " + tag.length);
      }
      tag = tag.clone();
      sealedDigest = sealedDigest == null ? null : sealedDigest.clone();
      if (epoch < 0 || mtime < 0) {
        throw new IllegalArgumentException("epoch and mtime must not be negative");
      }
    }

    /**
     * The metadata of a new object: its identity tag is computed here, for the domain, path and
     * body header given.
     */
    public static V2 of(
        WrappedKey wrappedKey,
        String user,
        DataKey key,
        ObjectIdentity identity,
        byte[] sealedDigest) {
      return new V2(
          wrappedKey,
          user,
          identity.domain(),
          identity.epoch(),
          identity.header(),
          identity.mtime(),
          key.identityTag(identity),
          sealedDigest);
    }

    /**
     * What the tag must cover for a reader whose session has {@code domain} and asks {@code path}.
     */
    public ObjectIdentity identity(String sessionDomain, String path) {
      return new ObjectIdentity(sessionDomain, path, header, epoch, mtime);
    }

    /** The same object with the identity {@code moved} (a rename, a new time), tag recomputed. */
    public V2 retagged(DataKey key, ObjectIdentity moved) {
      return new V2(
          wrappedKey,
          user,
          moved.domain(),
          moved.epoch(),
          moved.header(),
          moved.mtime(),
          key.identityTag(moved),
          sealedDigest);
    }

    /**
     * The same object carrying {@code sealed}, its body's sealed digest, itself; the tag does not
     * cover it (the seal binds it to the body).
     */
    public V2 withDigest(byte[] sealed) {
      return new V2(wrappedKey, user, domain, epoch, header, mtime, tag, sealed);
    }

    /** The same object with its data key wrapped anew (rewrap); the tag does not cover it. */
    public V2 withKey(WrappedKey rewrapped) {
      return new V2(rewrapped, user, domain, epoch, header, mtime, tag, sealedDigest);
    }

    @Override
    public byte[] header() {
      return header.clone();
    }

    @Override
    public byte[] tag() {
      return tag.clone();
    }

    @Override
    public byte[] sealedDigest() {
      return sealedDigest == null ? null : sealedDigest.clone();
    }

    public Optional<byte[]> digest() {
      return Optional.ofNullable(sealedDigest());
    }

    /** The {@code dz-*} entries, in the order docs/FORMAT.md lists them. */
    public Map<String, String> toMap() {
      Base64.Encoder base64 = Base64.getEncoder();
      Map<String, String> map = new LinkedHashMap<>();
      map.put(ObjectFormat.META_FORMAT, ObjectFormat.VERSION_2);
      map.put(ObjectFormat.META_ALGORITHM, ObjectFormat.ALGORITHM);
      map.put(ObjectFormat.META_KEY, wrappedKey.text());
      map.put(ObjectFormat.META_KEY_REF, wrappedKey.ref());
      map.put(ObjectFormat.META_USER, MetadataText.encode(user));
      map.put(ObjectFormat.META_DOMAIN, MetadataText.encode(domain));
      map.put(ObjectFormat.META_EPOCH, Long.toString(epoch));
      map.put(ObjectFormat.META_HEADER, base64.encodeToString(header));
      map.put(ObjectFormat.META_MTIME, Long.toString(mtime));
      map.put(ObjectFormat.META_TAG, base64.encodeToString(tag));
      if (sealedDigest != null) {
        map.put(ObjectFormat.META_DIGEST, base64.encodeToString(sealedDigest));
      }
      return map;
    }

    /**
     * {@code original} with its {@code dz-*} entries replaced by this metadata's: what a copy onto
     * a new key or onto itself writes, keeping any other entries.
     */
    public Map<String, String> over(Map<String, String> original) {
      Map<String, String> merged = new HashMap<>(original);
      merged.keySet().removeIf(name -> name.startsWith("dz-"));
      merged.putAll(toMap());
      return merged;
    }

    @Override
    public String toString() {
      return "V2[" + wrappedKey + ", " + user + ", " + domain + ", epoch " + epoch + "]";
    }
  }

  private static WrappedKey wrappedKey(Map<String, String> metadata) throws FormatException {
    String text = required(metadata, ObjectFormat.META_KEY);
    String ref = required(metadata, ObjectFormat.META_KEY_REF);
    try {
      return new WrappedKey(ref, text);
    } catch (IllegalArgumentException e) {
      throw damaged("malformed " + ObjectFormat.META_KEY + ": " + e.getMessage());
    }
  }

  private static String required(Map<String, String> metadata, String name) throws FormatException {
    String value = metadata.get(name);
    if (value == null || value.isEmpty()) {
      throw damaged("its metadata lacks " + name);
    }
    return value;
  }

  private static String text(Map<String, String> metadata, String name) throws FormatException {
    try {
      return MetadataText.decode(required(metadata, name));
    } catch (IllegalArgumentException e) {
      throw damaged("malformed " + name + ": " + e.getMessage());
    }
  }

  private static long number(Map<String, String> metadata, String name) throws FormatException {
    String value = required(metadata, name);
    try {
      long number = Long.parseLong(value);
      if (number < 0) {
        throw damaged("negative " + name);
      }
      return number;
    } catch (NumberFormatException e) {
      throw damaged("malformed " + name + ": not a number");
    }
  }

  private static byte[] bytes(Map<String, String> metadata, String name, int length)
      throws FormatException {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(required(metadata, name));
    } catch (IllegalArgumentException e) {
      throw damaged("malformed " + name + ": not Base64");
    }
    if (bytes.length != length) {
      throw damaged("malformed " + name + ": " + bytes.length + " bytes, not " + length);
    }
    if (name.equals(ObjectFormat.META_HEADER) && bytes[0] != ObjectFormat.HEADER) {
      throw damaged("malformed " + name + ": not a body header");
    }
    return bytes;
  }

  private static FormatException damaged(String why) {
    return new FormatException(FormatException.Kind.DAMAGED, why);
  }
}
