package dev.dropzone.store.transfer;

import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.StreamSegmentDecrypter;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.FormatException;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.PartBufferUse;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Errors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
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
 * Encrypted reads and writes of single objects. Callers have already checked paths and types; this
 * class checks the objects themselves: their format, their identity for the session asking (see
 * {@link ObjectIdentities}), the end of their body, and then only authenticated plaintext. Owns the
 * threads that upload parts, the pool of part buffers and the budget that bounds them, shared by
 * all transfers; thread-safe.
 */
public final class ObjectTransfers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectTransfers.class);

  /**
   * How often the part buffer pool gives back chunks no upload needed meanwhile: an idle gateway is
   * back at its baseline heap a minute or so after its last upload.
   */
  static final Duration POOL_TRIM_INTERVAL = Duration.ofSeconds(30);

  private final S3Client s3;
  private final S3Settings settings;
  private final ObjectIdentities identities;
  private final DigestRecords digests;
  private final Clock clock;
  private final ExecutorService partUploads;
  private final ChunkPool pool;
  private final ScheduledExecutorService poolTrimmer;
  private final PartBufferBudget budget;
  private final OpenUploads openUploads = new OpenUploads();

  public ObjectTransfers(S3Client s3, S3Settings settings) {
    this(s3, settings, FormatPolicy.DEFAULT, Clock.systemUTC());
  }

  /**
   * @param clock gives new objects their modification time ({@code dz-mtime})
   */
  public ObjectTransfers(S3Client s3, S3Settings settings, FormatPolicy policy, Clock clock) {
    this.s3 = s3;
    this.settings = settings;
    this.identities = new ObjectIdentities(policy);
    this.digests = new DigestRecords(s3, settings);
    this.clock = clock;
    this.partUploads = partUploadThreads(settings.maxConnections());
    long perUpload = (long) (settings.partsInFlight() + 1) * settings.partSize();
    // Enough for two uploads at steady state; more concurrent uploads allocate beyond it.
    this.pool = new ChunkPool((int) Math.min(4096, 2 * perUpload / ChunkPool.CHUNK_BYTES));
    this.poolTrimmer = poolTrimmer(pool);
    PartBufferBudget.Size size = PartBufferBudget.size(settings, Runtime.getRuntime().maxMemory());
    this.budget = new PartBufferBudget(size.bytes());
    LOG.info(
        "Part buffers of all uploads may hold {} ({}); beyond that uploads wait for memory",
        size.bytes() == Long.MAX_VALUE ? "any amount" : PartBufferBudget.mib(size.bytes()),
        size.origin());
  }

  /** Who may read what, and the metadata of objects that move. */
  public ObjectIdentities identities() {
    return identities;
  }

  /**
   * Decrypted content of the object at full key {@code key}, from plaintext {@code offset}.
   * Everything that can refuse the object (format, identity, the end of the body, a v2 body's
   * header) is checked before the stream is returned.
   *
   * @param path the file's path relative to the session's home, without a leading '/'
   */
  public InputStream openRead(String key, String path, SessionKeys session, long offset)
      throws IOException {
    if (offset < 0) {
      throw outOfRange(offset, 0);
    }
    if (offset == 0) {
      return readFromStart(key, path, session);
    }
    StoredObject object = head(key);
    long size = object.plaintextSize();
    if (offset > size) {
      throw outOfRange(offset, size);
    }
    if (offset == size) {
      return InputStream.nullInputStream();
    }
    StreamingAead aead = identities.verify(key, object.metadata(), path, session).streamingAead();
    long first = ObjectFormat.segmentOf(offset);
    if (first != ObjectFormat.segments(size) - 1) {
      verifyEnd(object, aead, object.knownHeader());
    }
    RangedObjectChannel ciphertext =
        new RangedObjectChannel(
            s3, settings.bucket(), object, ObjectFormat.segmentStart(first), object.knownHeader());
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
   * A new upload to full key {@code key} at {@code path} of the session's home, encrypted with the
   * session's current key; with {@code offset > 0} the existing object's first {@code offset}
   * plaintext bytes are carried over (after the same checks a read makes).
   */
  public Upload openWrite(String key, String path, SessionKeys session, long offset)
      throws IOException {
    return openWrite(key, path, session, offset, CommitListener.NONE);
  }

  /** As {@link #openWrite(String, String, SessionKeys, long)}, telling {@code listener} of it. */
  public Upload openWrite(
      String key, String path, SessionKeys session, long offset, CommitListener listener)
      throws IOException {
    if (offset < 0) {
      throw outOfRange(offset, 0);
    }
    if (offset == 0) {
      return newUpload(key, path, session, listener);
    }
    StoredObject existing = head(key);
    long size = existing.plaintextSize();
    if (offset > size) {
      throw outOfRange(offset, size);
    }
    Upload upload = newUpload(key, path, session, listener);
    try (InputStream prefix = decrypting(existing, path, session, s3.getObject(get(existing)))) {
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

  /**
   * The plaintext SHA-256 of the object at {@code key}, as its writer recorded it: from {@code
   * dz-digest} or the object's digest record. Empty for v1 objects and when no digest was kept. The
   * object proves its identity first, as for a read.
   */
  public Optional<byte[]> digest(String key, String path, SessionKeys session) throws IOException {
    StoredObject object = head(key);
    if (!(object.metadata() instanceof ObjectMetadata.V2 v2)) {
      return Optional.empty();
    }
    DataKey dataKey = identities.verify(key, v2, path, session);
    Optional<byte[]> sealed = v2.digest().isPresent() ? v2.digest() : digests.get(v2.header());
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(dataKey.openDigest(v2.header(), sealed.get()));
    } catch (GeneralSecurityException e) {
      throw StoredObject.damaged(key, "its sealed digest does not open: " + e.getMessage());
    }
  }

  /**
   * The metadata an object gets when it moves from {@code fromPath} to {@code toPath} (see {@link
   * ObjectIdentities#moved}), carrying the sealed digest of a body uploaded in parts itself. Its
   * digest record is named by the body, which the moved object shares with its source: if the
   * record stayed the only copy, deleting the source, or what a move that failed part way left of
   * it, would take the moved object's digest along. Without a record (or when it cannot be read
   * now) the object moves as it is and its digest stays where it was.
   */
  public Map<String, String> moved(
      String objectKey,
      Map<String, String> metadata,
      String fromPath,
      String toPath,
      SessionKeys session)
      throws StoreException {
    Map<String, String> moved = identities.moved(objectKey, metadata, fromPath, toPath, session);
    if (moved == metadata
        || moved.containsKey(ObjectFormat.META_DIGEST)
        || !(StoredObject.parse(objectKey, moved) instanceof ObjectMetadata.V2 v2)) {
      return moved;
    }
    Optional<byte[]> sealed;
    try {
      sealed = digests.get(v2.header());
    } catch (StoreException e) {
      LOG.warn(
          "Moving {} without taking its digest into it, the digest record could not be read ({}):"
              + " its HASH stays with the record, and deleting what is left of the source of a"
              + " move that fails may take it",
          objectKey,
          e.getMessage());
      return moved;
    }
    if (sealed.isEmpty() || sealed.get().length != DataKey.SEALED_DIGEST_BYTES) {
      return moved;
    }
    Map<String, String> carrying = v2.withDigest(sealed.get()).over(moved);
    return ObjectMetadata.size(carrying) <= ObjectFormat.MAX_METADATA_BYTES ? carrying : moved;
  }

  /**
   * Removes, best-effort, what belongs to a v2 object beside it (its digest record): called once
   * the object with {@code metadata} is gone.
   */
  public void forgetCompanions(Map<String, String> metadata) {
    if (ObjectFormat.VERSION_2.equals(metadata.get(ObjectFormat.META_FORMAT))
        && !metadata.containsKey(ObjectFormat.META_DIGEST)) {
      try {
        if (ObjectMetadata.parse(metadata) instanceof ObjectMetadata.V2 v2) {
          digests.delete(v2.header());
        }
      } catch (FormatException e) {
        // A damaged object has no record worth looking for.
      }
    }
  }

  private Upload newUpload(String key, String path, SessionKeys session, CommitListener listener)
      throws StoreException {
    UserKey userKey = session.forWriting();
    return new EncryptedUpload(
        s3,
        settings,
        new EncryptedUpload.Target(key, path, clock.millis(), digests, listener),
        userKey,
        partUploads,
        pool,
        budget,
        openUploads);
  }

  private InputStream readFromStart(String key, String path, SessionKeys session)
      throws StoreException {
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
      return decrypting(object, path, session, body);
    } catch (StoreException | RuntimeException e) {
      body.abort();
      throw e;
    }
  }

  /**
   * The plaintext of {@code body}, the GET of {@code object} from its first byte: identity first,
   * then the header (read here, compared with a v2 object's {@code dz-hdr}), then the body's end
   * (one ranged GET of the last segment), and only then the decrypting stream; a single-segment
   * body is read and authenticated whole instead, before its first byte is returned.
   */
  private InputStream decrypting(
      StoredObject object,
      String path,
      SessionKeys session,
      ResponseInputStream<GetObjectResponse> body)
      throws StoreException {
    ObjectBodyStream ciphertext = new ObjectBodyStream(body, "read " + object.key());
    try {
      StreamingAead aead =
          identities.verify(object.key(), object.metadata(), path, session).streamingAead();
      byte[] header = ciphertext.readNBytes(ObjectFormat.HEADER);
      byte[] expected = object.knownHeader();
      if (header.length != ObjectFormat.HEADER
          || (expected != null && !MessageDigest.isEqual(header, expected))) {
        throw StoredObject.damaged(
            object.key(),
            "its body does not start with the header its metadata names: another object's"
                + " body was put in its place");
      }
      verifyEnd(object, aead, header);
      if (ObjectFormat.segments(object.plaintextSize()) == 1
          && aead instanceof AesGcmHkdfStreaming segmented) {
        return decryptOnlySegment(object, segmented, header, ciphertext);
      }
      InputStream whole = new SequenceInputStream(new ByteArrayInputStream(header), ciphertext);
      return new AuthenticatedStream(
          aead.newDecryptingStream(whole, ObjectFormat.AAD), ciphertext, object.key());
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      ciphertext.close();
      if (e instanceof StoreException storeFailure) {
        throw storeFailure;
      }
      if (e instanceof RuntimeException unexpected) {
        throw unexpected;
      }
      throw AuthenticatedStream.integrityFailure(object.key(), e);
    }
  }

  /**
   * The plaintext of a single-segment object, whose body after {@code header} is in {@code
   * ciphertext}: read whole (the connection goes back to the pool), authenticated and decrypted in
   * one call, into arrays of the file's size. Tink's decrypting stream would allocate two 1 MiB
   * buffers however small the file, each a humongous allocation on a small G1 heap.
   */
  private static InputStream decryptOnlySegment(
      StoredObject object, AesGcmHkdfStreaming aead, byte[] header, ObjectBodyStream ciphertext)
      throws IOException, GeneralSecurityException {
    int expected = Math.toIntExact(object.ciphertextSize() - header.length);
    byte[] segment = ciphertext.readNBytes(expected);
    if (segment.length != expected) {
      throw new GeneralSecurityException(
          "Ciphertext is too short: the body ended after "
              + (header.length + segment.length)
              + " of "
              + object.ciphertextSize()
              + " bytes");
    }
    if (ciphertext.read() >= 0) {
      throw new GeneralSecurityException(
          "Ciphertext is too long: the body goes on past " + object.ciphertextSize() + " bytes");
    }
    ciphertext.close();
    StreamSegmentDecrypter decrypter = aead.newStreamSegmentDecrypter();
    decrypter.init(ByteBuffer.wrap(header), ObjectFormat.AAD);
    byte[] plaintext = new byte[expected - aead.getCiphertextOverhead()];
    decrypter.decryptSegment(ByteBuffer.wrap(segment), 0, true, ByteBuffer.wrap(plaintext));
    return new ByteArrayInputStream(plaintext);
  }

  /**
   * Authenticates the last segment of a multi-segment object before any plaintext is released: its
   * final-segment flag is what proves the plaintext size, so a body cut at a segment boundary or
   * extended is refused up front instead of after its first megabytes were sent. One ranged GET;
   * single-segment objects are authenticated whole before their first byte anyway.
   *
   * @param header the body's header, served to Tink without a request; null to fetch it
   */
  private void verifyEnd(StoredObject object, StreamingAead aead, byte[] header)
      throws StoreException {
    long size = object.plaintextSize();
    long segments = ObjectFormat.segments(size);
    if (segments == 1) {
      return;
    }
    try (RangedObjectChannel ciphertext =
        new RangedObjectChannel(
            s3, settings.bucket(), object, ObjectFormat.segmentStart(segments - 1), header)) {
      SeekableByteChannel plaintext =
          aead.newSeekableDecryptingChannel(ciphertext, ObjectFormat.AAD);
      plaintext.position(size - 1);
      ByteBuffer last = ByteBuffer.allocate(1);
      while (last.hasRemaining()) {
        if (plaintext.read(last) < 0) {
          throw new IOException("the body ended before its last plaintext byte");
        }
      }
    } catch (StoreException e) {
      throw e;
    } catch (GeneralSecurityException | IOException e) {
      LOG.error(
          "Object {} has a damaged or missing end ({}): it was truncated or extended in storage;"
              + " restore it from a backup or delete it",
          object.key(),
          String.valueOf(e.getMessage()).replace('\n', ' '));
      throw new StoreException(
          Reason.INTEGRITY,
          "integrity check failed: the end of the stored file is missing or was altered",
          e);
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

  /** Trims {@code pool} every {@link #POOL_TRIM_INTERVAL} on a thread of its own. */
  private static ScheduledExecutorService poolTrimmer(ChunkPool pool) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "dz-part-buffer-trim");
              thread.setDaemon(true);
              return thread;
            });
    long every = POOL_TRIM_INTERVAL.toMillis();
    timer.scheduleWithFixedDelay(pool::trim, every, every, TimeUnit.MILLISECONDS);
    return timer;
  }

  /** The part buffer pool, so tests can check the memory bound. */
  ChunkPool pool() {
    return pool;
  }

  /** The part buffers' memory use so far. */
  public PartBufferUse partBufferUse() {
    return new PartBufferUse(
        budget.bytes(),
        budget.peakReservedChunks() * ChunkPool.CHUNK_BYTES,
        budget.waits(),
        budget.reservedChunks() * ChunkPool.CHUNK_BYTES);
  }

  /** Multipart uploads started and not yet completed or aborted. */
  public int multipartUploadsInFlight() {
    return openUploads.count();
  }

  /** The part buffer budget, so tests can see it bind. */
  PartBufferBudget budget() {
    return budget;
  }

  @Override
  public void close() {
    poolTrimmer.shutdownNow();
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
