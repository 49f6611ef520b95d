package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import dev.dropzone.gateway.scan.UploadScanning;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.S3RequestCounter;
import dev.dropzone.store.testing.TestKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A whole gateway for one test class: in-process S3, the encrypted store, test keys and users. */
final class GatewayUnderTest implements AutoCloseable {

  static final String BUCKET = "dropzone";
  static final String PREFIX = "dz";

  final S3ProxyFixture s3;
  final S3Settings s3Settings;
  final EncryptedStore store;
  final FtpGateway gateway;
  private final S3Client raw;

  private GatewayUnderTest(FtpSettings settings, Function<EncryptedStore, DataKeys> keys)
      throws Exception {
    this(settings, keys, new TestUsers());
  }

  private GatewayUnderTest(
      FtpSettings settings, Function<EncryptedStore, DataKeys> keys, Authenticator users)
      throws Exception {
    this(settings, keys, users, UploadScanning.OFF);
  }

  private GatewayUnderTest(
      FtpSettings settings,
      Function<EncryptedStore, DataKeys> keys,
      Authenticator users,
      UploadScanning scanning)
      throws Exception {
    this(settings, keys, users, scanning, s3 -> s3.bucket(BUCKET, PREFIX));
  }

  private GatewayUnderTest(
      FtpSettings settings,
      Function<EncryptedStore, DataKeys> keys,
      Authenticator users,
      UploadScanning scanning,
      Function<S3ProxyFixture, S3Settings> storage)
      throws Exception {
    this(
        settings,
        keys,
        users,
        scanning,
        storage,
        EncryptedStore::open,
        event -> {},
        new SimpleMeterRegistry());
  }

  private GatewayUnderTest(
      FtpSettings settings,
      Function<EncryptedStore, DataKeys> keys,
      Authenticator users,
      UploadScanning scanning,
      Function<S3ProxyFixture, S3Settings> storage,
      Function<S3Settings, EncryptedStore> opener,
      FtpEventListener events,
      MeterRegistry meters)
      throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3Settings = s3.bucket(BUCKET, PREFIX);
    store = opener.apply(storage.apply(s3));
    raw = S3Clients.create(s3Settings);
    try {
      gateway =
          FtpGateway.start(settings, store, keys.apply(store), users, scanning, events, meters);
    } catch (Exception | Error e) {
      store.close();
      raw.close();
      s3.close();
      throw e;
    }
  }

  /**
   * A gateway whose store reaches the S3 server as {@code storage} says (through a proxy, with
   * other credentials, bucket or prefix, given the server); {@link #objectKeys} and the other raw
   * helpers still see bucket {@link #BUCKET} directly.
   */
  static GatewayUnderTest startOn(Function<S3ProxyFixture, S3Settings> storage) throws Exception {
    return new GatewayUnderTest(
        new SettingsBuilder().build(),
        store -> new TestKeys(),
        new TestUsers(),
        UploadScanning.OFF,
        storage);
  }

  /** A gateway whose store's S3 client counts its requests in {@code counter}. */
  static GatewayUnderTest counting(S3RequestCounter counter) throws Exception {
    return intercepted(counter);
  }

  /** A gateway whose data keys come from {@code keys}, given the store (for key records). */
  static GatewayUnderTest start(FtpSettings settings, Function<EncryptedStore, DataKeys> keys)
      throws Exception {
    return new GatewayUnderTest(settings, keys);
  }

  /** A gateway whose store's S3 client has {@code interceptor} in its pipeline. */
  static GatewayUnderTest intercepted(ExecutionInterceptor interceptor) throws Exception {
    return new GatewayUnderTest(
        new SettingsBuilder().build(),
        store -> new TestKeys(),
        new TestUsers(),
        UploadScanning.OFF,
        s3 -> s3.bucket(BUCKET, PREFIX),
        settings -> EncryptedStore.open(settings, FormatPolicy.DEFAULT, interceptor),
        event -> {},
        new SimpleMeterRegistry());
  }

  /** A gateway whose data keys come from {@code keys} and whose store serves {@code formats}. */
  static GatewayUnderTest start(Function<EncryptedStore, DataKeys> keys, FormatPolicy formats)
      throws Exception {
    return new GatewayUnderTest(
        new SettingsBuilder().build(),
        keys,
        new TestUsers(),
        UploadScanning.OFF,
        s3 -> s3.bucket(BUCKET, PREFIX),
        settings -> EncryptedStore.open(settings, formats),
        event -> {},
        new SimpleMeterRegistry());
  }

  /** A gateway whose users come from {@code users} instead of {@link TestUsers}. */
  static GatewayUnderTest start(Authenticator users) throws Exception {
    return start(new SettingsBuilder().build(), users);
  }

  /** A gateway whose data keys come from {@code keys} and whose users from {@code users}. */
  static GatewayUnderTest start(
      FtpSettings settings, Function<EncryptedStore, DataKeys> keys, Authenticator users)
      throws Exception {
    return new GatewayUnderTest(settings, keys, users);
  }

  static GatewayUnderTest start(FtpSettings settings, Authenticator users) throws Exception {
    return new GatewayUnderTest(settings, store -> new TestKeys(), users);
  }

  /** A gateway that scans uploads with {@code scanning} (closed by the caller). */
  static GatewayUnderTest start(Authenticator users, UploadScanning scanning) throws Exception {
    return new GatewayUnderTest(
        new SettingsBuilder().build(), store -> new TestKeys(), users, scanning);
  }

  /** A gateway whose store settings are {@code storeSettings} applied to the fixture's. */
  static GatewayUnderTest startWithStore(UnaryOperator<S3Settings> storeSettings) throws Exception {
    return new GatewayUnderTest(
        new SettingsBuilder().build(),
        store -> new TestKeys(),
        new TestUsers(),
        UploadScanning.OFF,
        s3 -> storeSettings.apply(s3.bucket(BUCKET, PREFIX)));
  }

  /** A gateway whose FTP events also go to {@code events}. */
  static GatewayUnderTest start(FtpEventListener events) throws Exception {
    return start(events, new SimpleMeterRegistry());
  }

  /** A gateway whose FTP events also go to {@code events}, and its meters to {@code meters}. */
  static GatewayUnderTest start(FtpEventListener events, MeterRegistry meters) throws Exception {
    return withTestKeys(new SettingsBuilder().build(), new TestUsers(), events, meters);
  }

  /**
   * A gateway whose users come from {@code users}, whose FTP events also go to {@code events} and
   * its meters to {@code meters}.
   */
  static GatewayUnderTest start(Authenticator users, FtpEventListener events, MeterRegistry meters)
      throws Exception {
    return withTestKeys(new SettingsBuilder().build(), users, events, meters);
  }

  /** A gateway with {@code settings} whose FTP events also go to {@code events}. */
  static GatewayUnderTest observed(FtpSettings settings, FtpEventListener events) throws Exception {
    return withTestKeys(settings, new TestUsers(), events, new SimpleMeterRegistry());
  }

  /** A gateway whose FTP meters go to {@code meters}. */
  static GatewayUnderTest start(FtpSettings settings, MeterRegistry meters) throws Exception {
    return start(settings, new TestUsers(), meters);
  }

  /** A gateway with {@code users} whose meters go to {@code meters}. */
  static GatewayUnderTest start(FtpSettings settings, Authenticator users, MeterRegistry meters)
      throws Exception {
    return withTestKeys(settings, users, event -> {}, meters);
  }

  /** A gateway on the test bucket with test keys, no scanning and the store as it opens. */
  private static GatewayUnderTest withTestKeys(
      FtpSettings settings, Authenticator users, FtpEventListener events, MeterRegistry meters)
      throws Exception {
    return new GatewayUnderTest(
        settings,
        store -> new TestKeys(),
        users,
        UploadScanning.OFF,
        s3 -> s3.bucket(BUCKET, PREFIX),
        EncryptedStore::open,
        events,
        meters);
  }

  static GatewayUnderTest start(FtpSettings settings) throws Exception {
    return start(settings, store -> new TestKeys());
  }

  static GatewayUnderTest start() throws Exception {
    return start(new SettingsBuilder().build());
  }

  int port() {
    return gateway.port();
  }

  /** A plain FTP client logged in as {@code user}, passive, binary. */
  FTPClient login(String user) throws IOException {
    FTPClient client = new FTPClient();
    client.setControlEncoding("UTF-8");
    client.connect("127.0.0.1", port());
    assertThat(client.login(user, TestUsers.PASSWORD)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    assertThat(client.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
    return client;
  }

  /** A plain FTP client logged in as {@code user} with {@code password}, passive, binary. */
  FTPClient login(String user, String password) throws IOException {
    FTPClient client = connect();
    assertThat(client.login(user, password)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    assertThat(client.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
    return client;
  }

  /** A plain FTP client connected but not logged in. */
  FTPClient connect() throws IOException {
    FTPClient client = new FTPClient();
    client.setControlEncoding("UTF-8");
    client.connect("127.0.0.1", port());
    return client;
  }

  /** Every object key in the bucket (including Dropzone's own state). */
  List<String> objectKeys() {
    return raw
        .listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(BUCKET).build())
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  /** A plain S3 client on the bucket, as someone with write access to it would use. */
  S3Client rawClient() {
    return raw;
  }

  /** The full S3 key of {@code rel}, a path below the store's prefix. */
  String key(String rel) {
    return PREFIX + "/" + rel;
  }

  byte[] rawObject(String key) {
    return raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
  }

  /** Flips one ciphertext byte of a stored object, keeping its metadata, as an attacker would. */
  void tamper(String key, int position) {
    byte[] body = rawObject(key);
    body[position] ^= 0x01;
    var metadata = raw.headObject(b -> b.bucket(BUCKET).key(key)).metadata();
    raw.putObject(
        b -> b.bucket(BUCKET).key(key).metadata(metadata),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(body));
  }

  List<MultipartUpload> pendingUploads() {
    return raw.listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(BUCKET).build())
        .uploads();
  }

  /** The S3 key of a user's file. */
  static String key(String user, String path) {
    return PREFIX + "/users/" + user + "/" + path;
  }

  @Override
  public void close() throws Exception {
    gateway.close();
    store.close();
    raw.close();
    s3.close();
  }
}
