package dev.dropzone.store.s3;

import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The first bytes of an object, read without reading the rest: for objects anyone who can write to
 * the bucket could make gigabytes long. A Range header alone does not do it (a server or proxy may
 * ignore it and send everything), nor does closing the stream early (the HTTP client would read the
 * rest to reuse the connection): the request is aborted unless the body ended within the limit.
 *
 * @param bytes at most {@code max + 1} bytes: more than {@code max} means the object is longer
 * @param response the GetObject response (ETag, metadata)
 */
public record ObjectPrefix(byte[] bytes, GetObjectResponse response) {

  /**
   * Reads up to {@code max + 1} bytes of what {@code request} names.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException as GetObject does, also when the
   *     body breaks off while it is read
   */
  public static ObjectPrefix read(S3Client s3, GetObjectRequest request, int max) {
    ResponseInputStream<GetObjectResponse> in = s3.getObject(request);
    boolean ended = false;
    try {
      byte[] bytes = in.readNBytes(max + 1);
      ended = bytes.length <= max;
      return new ObjectPrefix(bytes, in.response());
    } catch (IOException e) {
      throw SdkClientException.create(
          "reading " + request.key() + " broke off: " + e.getMessage(), e);
    } finally {
      if (!ended) {
        // Closing would read the rest to reuse the connection; aborting drops it instead.
        in.abort();
      }
      try {
        in.close();
      } catch (IOException e) {
        // Aborted or fully read: nothing is left to release.
      }
    }
  }
}
