package dev.dropzone.store.testing;

import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.ObjectFormat;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes objects in format v1, as gateways before format v2 did (same body, v1 metadata), so tests
 * can show that v1 objects stay readable by their writer, are refused elsewhere, and upgrade.
 */
public final class V1Objects {

  private V1Objects() {}

  /**
   * Stores {@code plaintext} at {@code key}, encrypted with {@code key}'s data key, with the v1
   * metadata naming {@code user} and {@code wrapped} (the key as wrapped for that user).
   */
  public static void put(
      S3Client s3,
      String bucket,
      String objectKey,
      String user,
      WrappedKey wrapped,
      DataKey key,
      byte[] plaintext)
      throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (OutputStream out = key.streamingAead().newEncryptingStream(body, ObjectFormat.AAD)) {
      out.write(plaintext);
    }
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key(objectKey)
                .contentType("application/octet-stream")
                .metadata(
                    Map.of(
                        ObjectFormat.META_FORMAT,
                        ObjectFormat.VERSION_1,
                        ObjectFormat.META_ALGORITHM,
                        ObjectFormat.ALGORITHM,
                        ObjectFormat.META_KEY,
                        wrapped.text(),
                        ObjectFormat.META_KEY_REF,
                        wrapped.ref(),
                        ObjectFormat.META_USER,
                        user)),
        RequestBody.fromBytes(body.toByteArray()));
  }
}
