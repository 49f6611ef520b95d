package dev.dropzone.store.transfer;

import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a transfer needs to know about an existing object, checked against format v1 before any byte
 * of it is decrypted.
 *
 * @param key full S3 key
 * @param eTag pins later ranged reads to this version of the object
 * @param ciphertextSize stored size
 * @param wrappedKey the data key the object was encrypted with
 * @param user the owner the key was wrapped for
 */
record StoredObject(
    String key, String eTag, long ciphertextSize, WrappedKey wrappedKey, String user) {

  private static final Logger LOG = LoggerFactory.getLogger(StoredObject.class);

  static StoredObject of(String key, String eTag, long size, Map<String, String> metadata)
      throws StoreException {
    String format = metadata.get(ObjectFormat.META_FORMAT);
    if (format == null) {
      LOG.warn(
          "Refused to serve {}: it has no {} metadata, so Dropzone did not write it; read it with"
              + " S3 tools instead",
          key,
          ObjectFormat.META_FORMAT);
      throw new StoreException(
          Reason.INTEGRITY, "not written by Dropzone: cannot be served decrypted");
    }
    if (!format.equals(ObjectFormat.VERSION_1)
        || !ObjectFormat.ALGORITHM.equals(metadata.get(ObjectFormat.META_ALGORITHM))) {
      LOG.warn(
          "Refused to serve {}: object format {} / {} is not supported by this gateway version;"
              + " upgrade the gateway",
          key,
          format,
          metadata.get(ObjectFormat.META_ALGORITHM));
      throw new StoreException(
          Reason.INTEGRITY, "object format " + format + " is not supported by this gateway");
    }
    String text = metadata.get(ObjectFormat.META_KEY);
    String ref = metadata.get(ObjectFormat.META_KEY_REF);
    String user = metadata.get(ObjectFormat.META_USER);
    if (text == null || ref == null || user == null || user.isEmpty()) {
      throw damaged(
          key,
          "metadata lacks "
              + ObjectFormat.META_KEY
              + ", "
              + ObjectFormat.META_KEY_REF
              + " or "
              + ObjectFormat.META_USER);
    }
    WrappedKey wrapped;
    try {
      wrapped = new WrappedKey(ref, text);
    } catch (IllegalArgumentException e) {
      throw damaged(key, "malformed " + ObjectFormat.META_KEY + ": " + e.getMessage());
    }
    if (!ObjectFormat.isValidCiphertextSize(size)) {
      throw damaged(key, "truncated: " + size + " bytes is not a complete ciphertext");
    }
    return new StoredObject(key, eTag, size, wrapped, user);
  }

  long plaintextSize() {
    return ObjectFormat.plaintextSize(ciphertextSize);
  }

  private static StoreException damaged(String key, String why) {
    LOG.error("Object {} is damaged ({}): restore it from a backup or delete it", key, why);
    return new StoreException(Reason.INTEGRITY, "integrity check failed: " + why);
  }
}
