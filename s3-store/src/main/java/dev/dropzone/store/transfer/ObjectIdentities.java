package dev.dropzone.store.transfer;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an object may be served to a session, before a byte of it is decrypted, and
 * writes the identity of objects that move. The identity a v2 object must prove comes from the
 * session (its key domain) and the path it asked for; the object's own {@code dz-user} and {@code
 * dz-domain} only make refusals precise.
 *
 * <p>The identity tag is also the key commitment: it is an HMAC under a key derived from the data
 * key, checked before Tink runs, so a body re-labelled with another wrapped key (of the same
 * domain) is refused here, never decrypted under a second key.
 */
public final class ObjectIdentities {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectIdentities.class);

  private final FormatPolicy policy;

  public ObjectIdentities(FormatPolicy policy) {
    this.policy = policy;
  }

  /**
   * The data key of {@code object}, once the object has proved it belongs at {@code path} in the
   * session's home: v1 objects only to their writer and only while the policy accepts v1; v2
   * objects only if their tag verifies for the session's domain, this path, their header, epoch and
   * time, under the key unwrapped for the session's domain.
   *
   * @param path the path relative to the home, without a leading '/'
   */
  DataKey verify(String objectKey, ObjectMetadata metadata, String path, SessionKeys session)
      throws StoreException {
    if (metadata instanceof ObjectMetadata.V1 v1) {
      return verifyV1(objectKey, v1, session);
    }
    ObjectMetadata.V2 v2 = (ObjectMetadata.V2) metadata;
    String domain = session.owner().domain();
    if (!v2.domain().equals(domain)) {
      // Only a hint, but when it differs the tag cannot verify: say what happened, and spare the
      // key service an unwrap that would fail.
      throw refused(
          objectKey,
          "it was written in key domain " + v2.domain() + ", this session's is " + domain,
          "this file belongs to another home (it was copied here in storage)");
    }
    DataKey key = session.forReading(v2.wrappedKey(), session.owner().binding(), objectKey);
    if (!key.hasIdentity(v2.identity(domain, path), v2.tag())) {
      throw refused(
          objectKey,
          "its identity tag does not verify for key domain "
              + domain
              + ", path "
              + path
              + ": it was copied or moved in storage, swapped with another file, an older"
              + " version was put back, or its metadata was altered",
          "this file's identity does not match its name (it was copied, swapped or altered in"
              + " storage)");
    }
    return key;
  }

  /**
   * The metadata {@code object} gets when it moves from {@code fromPath} to {@code toPath}: a v2
   * object's tag is verified for the old path and recomputed for the new one; v1 objects and
   * objects Dropzone did not write keep theirs unchanged.
   */
  public Map<String, String> moved(
      String objectKey,
      Map<String, String> metadata,
      String fromPath,
      String toPath,
      SessionKeys session)
      throws StoreException {
    if (!metadata.containsKey(ObjectFormat.META_FORMAT)) {
      return metadata;
    }
    ObjectMetadata parsed = StoredObject.parse(objectKey, metadata);
    if (!(parsed instanceof ObjectMetadata.V2 v2)) {
      return metadata;
    }
    DataKey key = verify(objectKey, v2, fromPath, session);
    String domain = session.owner().domain();
    return v2.retagged(key, v2.identity(domain, toPath)).over(metadata);
  }

  /**
   * The metadata of the v2 object at {@code path} with modification time {@code mtime} (ms since
   * the epoch): its tag verified, then recomputed. NOT_SUPPORTED for v1 objects, which record no
   * time of their own.
   */
  public Map<String, String> modified(
      String objectKey, Map<String, String> metadata, String path, long mtime, SessionKeys session)
      throws StoreException {
    ObjectMetadata parsed = StoredObject.parse(objectKey, metadata);
    if (!(parsed instanceof ObjectMetadata.V2 v2)) {
      throw new StoreException(
          Reason.NOT_SUPPORTED,
          "This file is in format v1, which keeps no modification time of its own; the"
              + " administrator can convert it with 'dropzone keys upgrade'");
    }
    DataKey key = verify(objectKey, v2, path, session);
    return v2.retagged(key, v2.identity(session.owner().domain(), path).modifiedAt(mtime))
        .over(metadata);
  }

  private DataKey verifyV1(String objectKey, ObjectMetadata.V1 v1, SessionKeys session)
      throws StoreException {
    if (!policy.acceptFormatV1()) {
      LOG.warn(
          "Refused to serve {}: it is a format v1 file and keys.acceptFormatV1 is false; run"
              + " 'dropzone keys upgrade' to bind it to its home, then it is served again",
          objectKey);
      throw new StoreException(
          Reason.INTEGRITY,
          "format v1 files are no longer served; the administrator must run 'dropzone keys"
              + " upgrade'");
    }
    String user = session.owner().user();
    if (!v1.user().equals(user)) {
      throw refused(
          objectKey,
          "it is a format v1 file written by user "
              + v1.user()
              + ", and v1 files are served to their writer only (copied here in storage, or a"
              + " shared home's file not yet upgraded: run 'dropzone keys upgrade')",
          "this file was written by another user in format v1 and is not bound to this home");
    }
    return session.forReading(v1.wrappedKey(), KeyBinding.user(user), objectKey);
  }

  private static StoreException refused(String objectKey, String why, String reply) {
    LOG.error(
        "Refused to serve {}: {}. No byte of it was decrypted; restore it from a backup or delete"
            + " it",
        objectKey,
        why);
    return new StoreException(Reason.INTEGRITY, "integrity check failed: " + reply);
  }
}
