package dev.dropzone.store.transfer;

import dev.dropzone.kek.format.FormatException;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a transfer needs to know about an existing object, checked for shape (format, fields, a
 * possible size) before anything else happens to it. Whether it belongs where it was found is
 * {@link ObjectIdentities}' question.
 *
 * @param key full S3 key
 * @param eTag pins later ranged reads to this version of the object
 * @param ciphertextSize stored size
 * @param metadata its {@code dz-*} metadata, parsed
 */
record StoredObject(String key, String eTag, long ciphertextSize, ObjectMetadata metadata) {

  private static final Logger LOG = LoggerFactory.getLogger(StoredObject.class);

  static StoredObject of(String key, String eTag, long size, Map<String, String> metadata)
      throws StoreException {
    ObjectMetadata parsed = parse(key, metadata);
    if (!ObjectFormat.isValidCiphertextSize(size)) {
      throw damaged(key, "truncated: " + size + " bytes is not a complete ciphertext");
    }
    return new StoredObject(key, eTag, size, parsed);
  }

  /** The metadata of {@code key}, or the refusal to serve it, logged with what to do. */
  static ObjectMetadata parse(String key, Map<String, String> metadata) throws StoreException {
    try {
      return ObjectMetadata.parse(metadata);
    } catch (FormatException e) {
      switch (e.kind()) {
        case NOT_DROPZONE:
          LOG.warn("Refused to serve {}: {}; read it with S3 tools instead", key, e.getMessage());
          throw new StoreException(
              Reason.INTEGRITY, "not written by Dropzone: cannot be served decrypted");
        case UNSUPPORTED:
          LOG.warn("Refused to serve {}: {}; upgrade the gateway", key, e.getMessage());
          throw new StoreException(
              Reason.INTEGRITY, "this file's format is not supported by this gateway");
        case DAMAGED:
        default:
          throw damaged(key, e.getMessage());
      }
    }
  }

  long plaintextSize() {
    return ObjectFormat.plaintextSize(ciphertextSize);
  }

  /** The body's header as the v2 metadata names it; null for v1, which must read it. */
  byte[] knownHeader() {
    return metadata instanceof ObjectMetadata.V2 v2 ? v2.header() : null;
  }

  static StoreException damaged(String key, String why) {
    LOG.error("Object {} is damaged ({}): restore it from a backup or delete it", key, why);
    return new StoreException(Reason.INTEGRITY, "integrity check failed: " + why);
  }
}
