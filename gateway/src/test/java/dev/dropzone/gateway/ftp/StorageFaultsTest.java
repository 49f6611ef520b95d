package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.FaultyTcpProxy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Through the FTP server, with the S3 server behind a proxy that stops answering or a store with
 * credentials S3 refuses: the client gets 451 in time, the log says what stalled or what to fix,
 * and the gateway works again without a restart once S3 does.
 */
class StorageFaultsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(2);

  /** How long a client waits for a reply before the test fails: far below the minutes of old. */
  private static final int CLIENT_PATIENCE_MILLIS = 30_000;

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger gatewayLog = (Logger) LoggerFactory.getLogger("dev.dropzone.gateway");
  private FaultyTcpProxy proxy;
  private GatewayUnderTest gateway;

  @BeforeEach
  void listen() {
    log.start();
    gatewayLog.addAppender(log);
  }

  @AfterEach
  void stop() throws Exception {
    gatewayLog.detachAppender(log);
    if (gateway != null) {
      gateway.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void aListingWithStorageStalledIsAnsweredWithin451InTimeAndWorksOnceStorageAnswers()
      throws Exception {
    gateway =
        GatewayUnderTest.startOn(
            s3 -> {
              S3Settings direct = s3.bucket(GatewayUnderTest.BUCKET, GatewayUnderTest.PREFIX);
              proxy = startProxy(s3.endpoint().getPort());
              return through(proxy, direct).withCommandDeadline(DEADLINE);
            });
    FTPClient alice = gateway.login("alice");
    alice.setSoTimeout(CLIENT_PATIENCE_MILLIS);
    assertThat(alice.makeDirectory("/in")).isTrue();

    proxy.pause();
    assertThat(alice.listFiles("/in")).isEmpty();
    assertThat(alice.getReplyCode()).isEqualTo(451);
    assertThat(alice.getReplyString()).contains("Storage unavailable, try again later");
    assertThat(alice.makeDirectory("/in/more")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(451);
    await()
        .untilAsserted(
            () ->
                assertThat(warnings())
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .contains("alice 'LIST /in' failed (451 STORAGE_UNAVAILABLE)")
                                .contains("S3 ListObjectsV2 prefix=dz/users/alice/in/")
                                .contains("deadline of 2.0 s (s3.commandDeadline) passed")));
    assertThat(events())
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .filteredOn(e -> e.getFormattedMessage().contains("failed (451 STORAGE_UNAVAILABLE)"))
        .as("an outage is one line per command, not a stack trace each")
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());

    proxy.resume();
    assertThat(alice.storeFile("/in/after.txt", new ByteArrayInputStream("back".getBytes())))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(alice.listNames("/in")).containsExactly("after.txt");
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("/in/after.txt", back)).isTrue();
    assertThat(back.toString()).isEqualTo("back");
    alice.disconnect();
  }

  @Test
  void credentialsStorageRefusesAreTheGatewaysProblemNotTheClients() throws Exception {
    gateway =
        GatewayUnderTest.startOn(
            s3 -> {
              S3Settings right = s3.bucket(GatewayUnderTest.BUCKET, GatewayUnderTest.PREFIX);
              return S3Settings.of(
                  right.endpoint(),
                  right.region(),
                  right.accessKeyId(),
                  "not-the-secret",
                  right.bucket(),
                  right.prefix());
            });
    FTPClient alice = gateway.login("alice");

    assertThat(alice.listFiles("/")).isEmpty();
    assertThat(alice.getReplyCode()).isEqualTo(451);
    assertThat(alice.getReplyString()).contains("Storage refused the server's request");
    assertThat(alice.makeDirectory("/x")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(451);
    await()
        .untilAsserted(
            () ->
                assertThat(warnings())
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .contains("(451 STORAGE_DENIED)")
                                .contains("HTTP 403 SignatureDoesNotMatch")
                                .contains("check s3.accessKeyId and s3.secretAccessKey")));
    alice.disconnect();
  }

  @Test
  void repliesNameOnlyTheUsersPathsNeverTheBucketPrefixOrHomeKey() throws Exception {
    String bucket = "bucket-k3v";
    String prefix = "tenant-q7x";
    S3Settings[] storage = new S3Settings[1];
    gateway = GatewayUnderTest.startOn(s3 -> storage[0] = s3.bucket(bucket, prefix));
    List<String> replies = new ArrayList<>();
    try (S3Client raw = S3Clients.create(storage[0])) {
      String home = prefix + "/users/alice/";
      raw.putObject(b -> b.bucket(bucket).key(home + "foreign.bin"), RequestBody.fromString("x"));
      raw.putObject(
          b -> b.bucket(bucket).key(home + "truncated.bin").metadata(Map.of("dz-format", "1")),
          RequestBody.fromBytes(new byte[70]));
    }
    FTPClient alice = gateway.login("alice");
    assertThat(alice.makeDirectory("/dir")).isTrue();
    assertThat(alice.storeFile("/dir/f.txt", new ByteArrayInputStream(new byte[3]))).isTrue();
    List<Call> calls =
        List.of(
            c -> c.retrieveFile("/foreign.bin", new ByteArrayOutputStream()),
            c -> c.retrieveFile("/truncated.bin", new ByteArrayOutputStream()),
            c -> c.appendFile("/truncated.bin", new ByteArrayInputStream(new byte[1])),
            c -> c.deleteFile("/missing"),
            c -> c.rename("/missing", "/x"),
            c -> c.changeWorkingDirectory("/missing"),
            c -> c.sendCommand("SIZE", "/dir"),
            c -> c.makeDirectory("/dir"),
            c -> c.removeDirectory("/dir"),
            c -> c.storeFile("/dir", new ByteArrayInputStream(new byte[1])),
            c -> c.storeFile("/nodir/x", new ByteArrayInputStream(new byte[1])),
            c -> c.listFiles("/dir/f.txt/x"));
    for (Call call : calls) {
      call.run(alice);
      replies.add(alice.getReplyString());
    }
    alice.disconnect();

    gateway.close();
    gateway =
        GatewayUnderTest.startOn(
            s3 ->
                S3Settings.of(
                    storage[0].endpoint(),
                    storage[0].region(),
                    storage[0].accessKeyId(),
                    "not-the-secret",
                    bucket,
                    prefix));
    FTPClient refused = gateway.login("alice");
    for (Call call : calls) {
      call.run(refused);
      replies.add(refused.getReplyString());
    }
    refused.disconnect();

    assertThat(replies).hasSize(2 * calls.size());
    assertThat(replies)
        .allSatisfy(
            reply ->
                assertThat(reply)
                    .doesNotContain(bucket)
                    .doesNotContain(prefix)
                    .doesNotContain("users/alice"));
  }

  /** One client command whose reply the test collects. */
  @FunctionalInterface
  private interface Call {
    Object run(FTPClient client) throws Exception;
  }

  private java.util.List<String> warnings() {
    return events().stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static FaultyTcpProxy startProxy(int port) {
    try {
      return FaultyTcpProxy.start(port);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static S3Settings through(FaultyTcpProxy proxy, S3Settings direct) {
    return S3Settings.of(
        proxy.endpoint(),
        direct.region(),
        direct.accessKeyId(),
        direct.secretAccessKey(),
        direct.bucket(),
        direct.prefix());
  }

  /** A copy of what was logged so far (appenders are written to from the server's threads). */
  private List<ILoggingEvent> events() {
    synchronized (log) {
      return new java.util.ArrayList<>(log.list);
    }
  }
}
