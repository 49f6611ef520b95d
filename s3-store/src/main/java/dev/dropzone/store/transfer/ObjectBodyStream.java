package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The ciphertext body of one GET. Network failures become STORAGE_UNAVAILABLE {@link
 * StoreException}s here, so the decryption layer above can tell them from authentication failures
 * (which Tink also reports as plain {@link IOException}s).
 */
final class ObjectBodyStream extends InputStream {

  private final ResponseInputStream<GetObjectResponse> body;
  private final String what;
  private long remaining;

  ObjectBodyStream(ResponseInputStream<GetObjectResponse> body, String what) {
    this.body = body;
    this.what = what;
    Long length = body.response().contentLength();
    this.remaining = length == null ? Long.MAX_VALUE : length;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = body.read(b, off, len);
      remaining = n < 0 ? 0 : remaining - n;
      return n;
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    } catch (IOException e) {
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Storage connection broke while trying to " + what + ", try again later",
          e);
    }
  }

  @Override
  public void close() {
    if (remaining > 0) {
      // Closing an unfinished body would drain the rest of a possibly huge object first.
      body.abort();
    }
    try {
      body.close();
    } catch (IOException | SdkException e) {
      // The connection is discarded either way; nothing was lost.
    }
  }
}
