package dev.dropzone.store.transfer;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.PartBufferUse;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Encrypted reads and writes of single objects (format v1). Callers have already checked paths and
 * types; this class checks the objects themselves. Owns the threads that upload parts, the pool of
 * part buffers and the budget that bounds them, shared by all transfers; thread-safe.
 */
public final class ObjectTransfers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectTransfers.class);

  private final S3Client s3;
  private final S3Settings settings;
  private final ExecutorService partUploads;
  private final ChunkPool pool;
  private final PartBufferBudget budget;

  public ObjectTransfers(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.settings = settings;
    this.partUploads = partUploadThreads(settings.maxConnections());
    long perUpload = (long) (settings.partsInFlight() + 1) * settings.partSize();
    // Enough for two uploads at steady state; more concurrent uploads allocate beyond it.
    this.pool = new ChunkPool((int) Math.min(4096, 2 * perUpload / ChunkPool.CHUNK_BYTES));
    PartBufferBudget.Size size = PartBufferBudget.size(settings, Runtime.getRuntime().maxMemory());
    this.budget = new PartBufferBudget(size.bytes());
    LOG.info(
        "Part buffers of all uploads may hold {} ({}); beyond that uploads wait for memory",
        size.bytes() == Long.MAX_VALUE ? "any amount" : PartBufferBudget.mib(size.bytes()),
        size.origin());
  }

  /** Decrypted content of the object at full key {@code key}, from plaintext {@code offset}. */
  public InputStream openRead(String key, DataKeys keys, long offset) throws IOException {
    if (offset < 0) {
      throw outOfRange(offset, 0);
    }
    if (offset == 0) {
      return readFromStart(key, keys);
    }
    StoredObject object = head(key);
    long size = object.plaintextSize();
    if (offset > size) {
      throw outOfRange(offset, size);
    }
    if (offset == size) {
      return InputStream.nullInputStream();
    }
    StreamingAead aead =
        TransferKeys.forReading(
                keys, object.wrappedKey(), KeyBinding.user(object.user()), object.key())
            .streamingAead();
    RangedObjectChannel ciphertext =
        new RangedObjectChannel(
            s3,
            settings.bucket(),
            object,
            ObjectFormat.segmentStart(ObjectFormat.segmentOf(offset)));
    try {
      SeekableByteChannel plaintext =
          aead.newSeekableDecryptingChannel(ciphertext, ObjectFormat.AAD);
      plaintext.position(offset);
      return new AuthenticatedStream(Channels.newInputStream(plaintext), ciphertext, key);
    } catch (GeneralSecurityException | IOException e) {
      ciphertext.close();
      if (e instanceof StoreException storeFailure) {
        throw storeFailure;
      }
      throw AuthenticatedStream.integrityFailure(key, e);
    }
  }

  /**
   * A new upload to full key {@code key}, encrypted with {@code user}'s current key; with {@code
   * offset > 0} the existing object's first {@code offset} plaintext bytes are carried over.
   */
  public Upload openWrite(String key, String user, DataKeys keys, long offset) throws IOException {
    if (offset < 0) {
      throw outOfRange(offset, 0);
    }
    if (offset == 0) {
      return newUpload(key, user, keys);
    }
    StoredObject existing = head(key);
    long size = existing.plaintextSize();
    if (offset > size) {
      throw outOfRange(offset, size);
    }
    Upload upload = newUpload(key, user, keys);
    try (InputStream prefix = decrypting(existing, keys, s3.getObject(get(existing)))) {
      copyExactly(prefix, upload.stream(), offset, key);
    } catch (SdkException e) {
      upload.abort();
      throw S3Errors.map(e, "read " + key);
    } catch (IOException | RuntimeException e) {
      upload.abort();
      throw e;
    }
    return upload;
  }

  private Upload newUpload(String key, String user, DataKeys keys) throws StoreException {
    UserKey userKey = TransferKeys.forWriting(keys, user);
    return new EncryptedUpload(s3, settings, key, userKey, partUploads, pool, budget);
  }

  private InputStream readFromStart(String key, DataKeys keys) throws StoreException {
    ResponseInputStream<GetObjectResponse> body;
    try {
      body = s3.getObject(GetObjectRequest.builder().bucket(settings.bucket()).key(key).build());
    } catch (SdkException e) {
      throw S3Errors.map(e, "read " + key);
    }
    GetObjectResponse response = body.response();
    try {
      StoredObject object =
          StoredObject.of(key, response.eTag(), response.contentLength(), response.metadata());
      return decrypting(object, keys, body);
    } catch (StoreException | RuntimeException e) {
      body.abort();
      throw e;
    }
  }

  private InputStream decrypting(
      StoredObject object, DataKeys keys, ResponseInputStream<GetObjectResponse> body)
      throws StoreException {
    ObjectBodyStream ciphertext = new ObjectBodyStream(body, "read " + object.key());
    try {
      StreamingAead aead =
          TransferKeys.forReading(
                  keys, object.wrappedKey(), KeyBinding.user(object.user()), object.key())
              .streamingAead();
      return new AuthenticatedStream(
          aead.newDecryptingStream(ciphertext, ObjectFormat.AAD), ciphertext, object.key());
    } catch (GeneralSecurityException | IOException e) {
      ciphertext.close();
      if (e instanceof StoreException storeFailure) {
        throw storeFailure;
      }
      throw AuthenticatedStream.integrityFailure(object.key(), e);
    }
  }

  private GetObjectRequest get(StoredObject object) {
    return GetObjectRequest.builder()
        .bucket(settings.bucket())
        .key(object.key())
        .ifMatch(object.eTag())
        .build();
  }

  private StoredObject head(String key) throws StoreException {
    HeadObjectResponse head;
    try {
      head = s3.headObject(HeadObjectRequest.builder().bucket(settings.bucket()).key(key).build());
    } catch (SdkException e) {
      throw S3Errors.map(e, "read " + key);
    }
    return StoredObject.of(key, head.eTag(), head.contentLength(), head.metadata());
  }

  private static void copyExactly(InputStream in, OutputStream out, long count, String key)
      throws IOException {
    byte[] buffer = new byte[64 << 10];
    long left = count;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new StoreException(
            Reason.INTEGRITY,
            "integrity check failed: " + key + " ended after " + (count - left) + " bytes");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static StoreException outOfRange(long offset, long size) {
    return new StoreException(
        Reason.OUT_OF_RANGE,
        "Restart offset " + offset + " is outside the file (" + size + " bytes)");
  }

  private static ExecutorService partUploadThreads(int threads) {
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "dz-part-upload-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // Idle gateways should not keep a pool's worth of threads around.
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** The part buffer pool, so tests can check the memory bound. */
  ChunkPool pool() {
    return pool;
  }

  /** The part buffers' memory use so far. */
  public PartBufferUse partBufferUse() {
    return new PartBufferUse(
        budget.bytes(), budget.peakReservedChunks() * ChunkPool.CHUNK_BYTES, budget.waits());
  }

  /** The part buffer budget, so tests can see it bind. */
  PartBufferBudget budget() {
    return budget;
  }

  @Override
  public void close() {
    partUploads.shutdown();
    try {
      if (!partUploads.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn(
            "Part uploads still running at shutdown were cancelled; their uploads are"
                + " left for the upload sweeper");
        partUploads.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      partUploads.shutdownNow();
    }
  }
}
