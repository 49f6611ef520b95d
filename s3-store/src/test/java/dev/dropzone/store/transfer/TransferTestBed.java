package dev.dropzone.store.transfer;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * One in-process S3 server with a bucket, a client that counts its GETs, the transfers under test
 * and in-memory user keys. Parts are 5 MiB (S3's minimum) so multi-part cases stay cheap.
 */
final class TransferTestBed implements AutoCloseable {

  static final int PART = 5 << 20;
  static final String USER = "alice";

  final S3ProxyFixture server;
  final S3Settings settings;
  final S3Client s3;
  final ObjectTransfers transfers;
  final TestKeys keys = new TestKeys();
  final SessionKeys session = session(keys);
  final PartGate partGate = new PartGate();
  private final AtomicInteger gets = new AtomicInteger();
  private final AtomicInteger aborts = new AtomicInteger();

  private TransferTestBed(S3ProxyFixture server, String prefix, UnaryOperator<S3Settings> adjust) {
    this.server = server;
    this.settings = adjust.apply(server.bucket("dropzone", prefix).withPartSize(PART));
    this.s3 =
        S3Clients.builder(settings)
            .overrideConfiguration(
                c -> c.addExecutionInterceptor(new GetCounter()).addExecutionInterceptor(partGate))
            .build();
    this.transfers = new ObjectTransfers(s3, settings);
  }

  static TransferTestBed inMemory() throws Exception {
    return new TransferTestBed(S3ProxyFixture.inMemory(), "pre", UnaryOperator.identity());
  }

  static TransferTestBed inMemory(String prefix) throws Exception {
    return new TransferTestBed(S3ProxyFixture.inMemory(), prefix, UnaryOperator.identity());
  }

  /** A bed on {@code server}, which it closes. */
  static TransferTestBed on(S3ProxyFixture server) {
    return on(server, UnaryOperator.identity());
  }

  /** A bed on {@code server}, which it closes, with its settings changed by {@code adjust}. */
  static TransferTestBed on(S3ProxyFixture server, UnaryOperator<S3Settings> adjust) {
    return new TransferTestBed(server, "pre", adjust);
  }

  /** A bed whose settings are the usual ones changed by {@code adjust}. */
  static TransferTestBed inMemory(UnaryOperator<S3Settings> adjust) throws Exception {
    return new TransferTestBed(S3ProxyFixture.inMemory(), "pre", adjust);
  }

  /** The full key of a file in the test user's home. */
  String key(String name) {
    return settings.key("users/" + USER + "/" + name);
  }

  /** The path below the test user's home of {@code key}, as identity tags bind it. */
  String path(String key) {
    String home = settings.key("users/" + USER + "/");
    return key.startsWith(home) ? key.substring(home.length()) : key;
  }

  /** The test user's session with its key domain, over {@code keys}. */
  SessionKeys session(DataKeys keys) {
    return new SessionKeys(new KeyOwner(USER, "users/" + USER), keys);
  }

  InputStream openRead(String key, long offset) throws IOException {
    return transfers.openRead(key, path(key), session, offset);
  }

  Upload openWrite(String key, long offset) throws IOException {
    return transfers.openWrite(key, path(key), session, offset);
  }

  /** Writes {@code size} bytes of {@code pattern} in odd-sized writes and commits. */
  void write(String key, PlaintextPattern pattern, long size) throws IOException {
    try (Upload upload = openWrite(key, 0)) {
      copy(pattern.stream(0, size), upload.stream());
      upload.commit();
    }
  }

  static void copy(InputStream in, OutputStream out) throws IOException {
    // Not a power of two: writes straddle Tink segments and parts.
    byte[] buffer = new byte[12_345];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
    }
  }

  byte[] readSha256(String key, long offset) throws IOException {
    try (InputStream in = openRead(key, offset)) {
      return PlaintextPattern.sha256(in);
    }
  }

  byte[] raw(String key) {
    return s3.getObject(
            GetObjectRequest.builder().bucket(settings.bucket()).key(key).build(),
            ResponseTransformer.toBytes())
        .asByteArray();
  }

  HeadObjectResponse head(String key) {
    return s3.headObject(b -> b.bucket(settings.bucket()).key(key));
  }

  java.util.List<MultipartUpload> pendingUploads() {
    ListMultipartUploadsResponse page = s3.listMultipartUploads(b -> b.bucket(settings.bucket()));
    return page.uploads();
  }

  int getCount() {
    return gets.get();
  }

  /** AbortMultipartUpload requests sent so far. */
  int abortCount() {
    return aborts.get();
  }

  /** Closes everything; the server may already have been stopped by the test. */
  @Override
  public void close() throws Exception {
    transfers.close();
    s3.close();
    server.close();
  }

  private final class GetCounter implements ExecutionInterceptor {
    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof GetObjectRequest) {
        gets.incrementAndGet();
      }
      if (context.request() instanceof AbortMultipartUploadRequest) {
        aborts.incrementAndGet();
      }
    }
  }
}
