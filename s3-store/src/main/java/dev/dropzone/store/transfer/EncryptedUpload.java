package dev.dropzone.store.transfer;

import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectIdentity;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StoredVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * One object being written: plaintext → Tink encryption → part buffers → S3, in format v2. A file
 * that fits in the first segment is held and encrypted in one call when sealed; a larger one goes
 * through Tink's encrypting stream (see {@link SegmentBufferedEncryption}).
 *
 * <p>Its metadata is made when it is first needed, at the start of the multipart upload or at the
 * single PutObject, once the body's header was written: the identity tag covers that header. The
 * plaintext's SHA-256 is computed as it streams; a single PutObject carries it sealed in {@code
 * dz-digest}, a multipart upload (whose metadata was fixed before the last byte) stores it in a
 * digest record after completing.
 *
 * <p>A full buffer becomes a part only once more ciphertext arrives, so the multipart upload starts
 * with the second part's first byte and a file of at most one part costs a single PutObject at
 * commit. While {@link PartUploads} has every slot busy the writer waits, so at most {@code
 * partsInFlight + 1} part buffers exist per upload whatever the file size; across uploads the
 * {@link PartBufferBudget} bounds them. Writes and commit come from one thread; {@link #abort()}
 * may come from any.
 *
 * <p>The buffer being filled ({@code current}) belongs to this upload until it is handed to {@link
 * PartUploads} or sent by PutObject; {@link #abort()} takes it under the lock and discards it, so
 * its budget reservation is returned exactly once whichever thread gets there first, and the writer
 * finds no buffer (or a closed one) and stops.
 */
final class EncryptedUpload implements Upload {

  static final String CONTENT_TYPE = "application/octet-stream";

  private static final Logger LOG = LoggerFactory.getLogger(EncryptedUpload.class);

  private enum State {
    OPEN,
    COMMITTED,
    ABORTED
  }

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final int initialPartSize;
  private final ChunkPool pool;
  private final PartBufferBudget budget;
  private final Target target;
  private final UserKey userKey;
  private final byte[] header = new byte[ObjectFormat.HEADER];
  private int headerBytes;
  private final MessageDigest sha256;
  private final PartUploads parts;
  private final ExecutorService executor;
  private final OutputStream encrypting;
  private final PlaintextStream plaintext = new PlaintextStream();

  private volatile State state = State.OPEN;

  /** Null once aborted, and between handing a full buffer over and starting the next one. */
  private volatile PartBuffer current;

  /** The PutObject of a one-part file, started by {@link #prepareCommit()}; null before. */
  private volatile HeldPut held;

  private long bytesWritten;

  /** The encrypting stream was closed: its last segment is in the buffers. */
  private boolean sealed;

  /** The plaintext's digest sealed under the data key, made once when the stream is sealed. */
  private byte[] sealedDigest;

  /** The plaintext's SHA-256, taken when the stream is sealed. */
  private volatile byte[] plaintextDigest;

  /** Ciphertext bytes so far: the object's length once sealed. */
  private long ciphertextBytes;

  /** The metadata sent with the PutObject or CreateMultipartUpload; null before. */
  private Map<String, String> sentMetadata;

  /**
   * Where an upload goes and what its identity covers besides the key.
   *
   * @param key full S3 key
   * @param path the path relative to the home, as the identity tag binds it
   * @param mtime the modification time it records, ms since the epoch
   * @param digests where a multipart upload's digest goes
   * @param listener told of the stored version once committed
   */
  record Target(
      String key, String path, long mtime, DigestRecords digests, CommitListener listener) {}

  EncryptedUpload(
      S3Client s3,
      S3Settings settings,
      Target target,
      UserKey userKey,
      ExecutorService executor,
      ChunkPool pool,
      PartBufferBudget budget,
      OpenUploads openUploads)
      throws StoreException {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.key = target.key();
    this.target = target;
    this.userKey = userKey;
    this.initialPartSize = settings.partSize();
    this.pool = pool;
    this.budget = budget;
    this.sha256 = sha256();
    this.executor = executor;
    checkMetadataFits();
    this.parts =
        new PartUploads(
            s3,
            bucket,
            key,
            () -> sent(metadata(null)),
            settings.partsInFlight(),
            executor,
            openUploads);
    this.current = newBuffer();
    try {
      this.encrypting =
          SegmentBufferedEncryption.of(userKey.key().streamingAead(), new CiphertextSink());
    } catch (GeneralSecurityException | IOException e) {
      current.release();
      LOG.error(
          "Cannot encrypt {} with the current key of {}: rotate the user's key",
          key,
          userKey.owner());
      throw new StoreException(
          Reason.KEY_REJECTED, "The key for this upload cannot encrypt: " + e.getMessage(), e);
    }
  }

  @Override
  public OutputStream stream() {
    return plaintext;
  }

  @Override
  public long bytesWritten() {
    return bytesWritten;
  }

  /**
   * Encrypts the last segment and, for a multipart upload, sends the last part and waits for every
   * part: afterwards only CompleteMultipartUpload remains for {@link #commit()}. A file of one part
   * starts its PutObject with the last byte held back ({@link HeldPut}), so the request travels
   * while the caller decides and {@code commit()} only lets that byte go.
   */
  @Override
  public void prepareCommit() throws IOException {
    if (state == State.COMMITTED) {
      return;
    }
    failing(
        () -> {
          seal();
          if (parts.count() > 0 && current != null) {
            shipCurrent();
          }
          if (parts.count() > 0) {
            parts.awaitAll();
          } else if (held == null) {
            hold();
          }
        });
  }

  private void hold() throws StoreException {
    HeldPut put =
        HeldPut.start(
            s3,
            putRequest(sent(metadata(sealedDigest))),
            takeCurrent(),
            executor,
            HeldPut.HOLD_LIMIT);
    held = put;
    // An abort from another thread may have run between taking the buffer and publishing the put.
    if (state == State.ABORTED) {
      put.abort();
      checkWritable();
    }
  }

  @Override
  public Optional<byte[]> digest() {
    byte[] digest = plaintextDigest;
    return state == State.COMMITTED && digest != null
        ? Optional.of(digest.clone())
        : Optional.empty();
  }

  @Override
  public void commit() throws IOException {
    if (state == State.COMMITTED) {
      return;
    }
    failing(
        () -> {
          seal();
          Optional<StoredVersion> stored;
          HeldPut put = held;
          if (put != null) {
            PutObjectResponse response = put.commit();
            stored = StoredVersion.of(response.eTag(), response, StoredVersion.since(put.sent()));
          } else if (parts.count() == 0) {
            stored = putWhole(sent(metadata(sealedDigest)));
          } else {
            if (current != null) {
              shipCurrent();
            }
            stored = parts.complete();
            target.digests().put(key, header, sealedDigest);
          }
          state = State.COMMITTED;
          LOG.debug("Committed {} ({} plaintext bytes)", key, bytesWritten);
          stored.ifPresent(
              version ->
                  target
                      .listener()
                      .committed(
                          new CommitListener.Committed(
                              key,
                              version,
                              Instant.ofEpochMilli(target.mtime()),
                              ciphertextBytes,
                              sentMetadata,
                              CONTENT_TYPE)));
        });
  }

  /** Ends the plaintext: the last segment and its tag are written; once only. */
  private void seal() throws IOException {
    checkWritable();
    if (!sealed) {
      sealed = true;
      encrypting.close();
    }
    checkWritable();
    if (sealedDigest == null) {
      sealedDigest = sealedDigest();
    }
  }

  /** A step towards committing; any failure aborts the upload. */
  private void failing(Step step) throws StoreException {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      abort();
      if (e instanceof StoreException storeFailure) {
        throw storeFailure;
      }
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE, "Upload of " + key + " failed: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws IOException;
  }

  @Override
  public void abort() {
    PartBuffer filling;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      state = State.ABORTED;
      filling = current;
      current = null;
    }
    // Before draining the parts on the wire, so waiting uploads get the budget back at once.
    if (filling != null) {
      filling.discard();
    }
    HeldPut put = held;
    if (put != null) {
      put.abort();
    }
    parts.abort();
  }

  private PartBuffer newBuffer() {
    long capacity = PartSizes.sizeOf(parts.count() + 1, initialPartSize);
    return new PartBuffer(pool, budget, capacity, this::checkWritable, key);
  }

  /** The buffer being filled; throws once aborted. */
  private PartBuffer filling() throws StoreException {
    PartBuffer buffer = current;
    if (buffer == null) {
      checkWritable();
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
    }
    return buffer;
  }

  /** Takes the buffer being filled away from {@link #abort()}: the caller now owns it. */
  private synchronized PartBuffer takeCurrent() throws StoreException {
    PartBuffer buffer = filling();
    current = null;
    return buffer;
  }

  private synchronized void startNextPart() throws StoreException {
    checkWritable();
    current = newBuffer();
  }

  /** Hands the full buffer to the part uploads; if they do not take it, releases it here. */
  private void shipCurrent() throws StoreException {
    PartBuffer full = takeCurrent();
    try {
      parts.ship(full);
    } catch (StoreException | RuntimeException e) {
      full.release();
      throw e;
    }
  }

  private Optional<StoredVersion> putWhole(Map<String, String> metadata) throws StoreException {
    PartBuffer whole = takeCurrent();
    try {
      long started = System.nanoTime();
      PutObjectResponse response = s3.putObject(putRequest(metadata), whole.body());
      return StoredVersion.of(response.eTag(), response, StoredVersion.since(started));
    } catch (SdkException e) {
      throw S3Errors.map(e, "store " + key);
    } finally {
      whole.release();
    }
  }

  private PutObjectRequest putRequest(Map<String, String> metadata) {
    return PutObjectRequest.builder()
        .bucket(bucket)
        .key(key)
        .metadata(metadata)
        .contentType(CONTENT_TYPE)
        .build();
  }

  private void checkWritable() throws StoreException {
    if (state == State.ABORTED) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
    }
    if (state == State.COMMITTED) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " is already committed");
    }
    parts.checkHealthy();
  }

  /** Keeps {@code metadata} as what the object is stored with. */
  private Map<String, String> sent(Map<String, String> metadata) {
    sentMetadata = metadata;
    return metadata;
  }

  /** The v2 metadata, with the sealed digest when there is one; needs the body's header. */
  private Map<String, String> metadata(byte[] sealedDigest) {
    if (headerBytes < ObjectFormat.HEADER) {
      throw new IllegalStateException("metadata of " + key + " asked for before the header");
    }
    return metadataOf(header, sealedDigest);
  }

  private Map<String, String> metadataOf(byte[] bodyHeader, byte[] sealedDigest) {
    ObjectIdentity identity =
        new ObjectIdentity(
            userKey.owner().domain(), target.path(), bodyHeader, userKey.epoch(), target.mtime());
    return ObjectMetadata.V2
        .of(userKey.wrapped(), userKey.owner().user(), userKey.key(), identity, sealedDigest)
        .toMap();
  }

  /**
   * Refuses, before any data moves, an upload whose metadata would exceed S3's limit (a very long
   * home or user name with a large wrapped key): S3 would refuse it only at the end.
   */
  private void checkMetadataFits() throws StoreException {
    byte[] placeholder = new byte[ObjectFormat.HEADER];
    placeholder[0] = ObjectFormat.HEADER;
    int size = ObjectMetadata.size(metadataOf(placeholder, new byte[DataKey.SEALED_DIGEST_BYTES]));
    if (size > ObjectFormat.MAX_METADATA_BYTES) {
      throw new StoreException(
          Reason.INVALID_PATH,
          "Cannot store "
              + target.path()
              + ": its metadata would be "
              + size
              + " bytes, over S3's limit of "
              + ObjectFormat.MAX_METADATA_BYTES
              + " (the home or user name is too long)");
    }
  }

  private byte[] sealedDigest() throws StoreException {
    plaintextDigest = sha256.digest();
    try {
      return userKey.key().sealDigest(header, plaintextDigest);
    } catch (GeneralSecurityException e) {
      throw new StoreException(
          Reason.KEY_REJECTED, "The key for this upload cannot seal its digest", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Receives Tink's ciphertext and cuts it into parts. */
  private final class CiphertextSink extends OutputStream {

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ciphertextBytes += len;
      if (headerBytes < ObjectFormat.HEADER) {
        int n = Math.min(len, ObjectFormat.HEADER - headerBytes);
        System.arraycopy(b, off, header, headerBytes, n);
        headerBytes += n;
      }
      while (len > 0) {
        PartBuffer buffer = filling();
        if (buffer.size() == buffer.capacity()) {
          if (parts.count() + 1 >= PartSizes.MAX_PARTS) {
            throw new StoreException(
                Reason.QUOTA,
                "File too large: S3 allows at most " + PartSizes.MAX_PARTS + " parts");
          }
          shipCurrent();
          startNextPart();
          continue;
        }
        int n = (int) Math.min(len, buffer.capacity() - buffer.size());
        buffer.write(b, off, n);
        off += n;
        len -= n;
      }
    }
  }

  /** What the caller writes to; closing it does not commit (see {@link Upload}). */
  private final class PlaintextStream extends OutputStream {

    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream of " + key + " is closed");
      }
      try {
        checkWritable();
        encrypting.write(b, off, len);
        sha256.update(b, off, len);
      } catch (IOException | RuntimeException e) {
        // The encrypting stream is unusable after a failure: nothing more can be committed.
        abort();
        throw e;
      }
      bytesWritten += len;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
