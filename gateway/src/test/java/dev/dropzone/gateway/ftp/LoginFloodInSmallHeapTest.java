package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.cli.Main;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unauthenticated crash: {@code dropzone serve} in its own JVM with a small heap and the
 * default settings, and many simultaneous wrong passwords from several addresses. Each Argon2id
 * check needs 19 MiB; unbounded, 80 at once would need 1.5 GiB and the JVM would die of
 * OutOfMemoryError (it is started as the image starts it, exiting on one). It must stay up, answer
 * every attempt, and let the right password in afterwards.
 */
class LoginFloodInSmallHeapTest {

  private static final String HEAP = "-Xmx256m";
  private static final String PASSWORD = "alice's real password";
  private static final int ADDRESSES = 5;
  private static final Pattern LISTENING =
      Pattern.compile("FTP listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  @Test
  void concurrentWrongPasswordsFromSeveralAddressesDoNotBringDownASmallGateway() throws Exception {
    SourceAddresses.assumeAvailable();
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory()) {
      s3.bucket("dzone", "");
      LocalKeyService.open(dir.resolve("keyset.json"));
      new UsersFile(dir.resolve("users.yaml"))
          .write(List.of(UserEntry.of("alice", PasswordHashes.hash(PASSWORD.toCharArray()))));
      Path config = dir.resolve("dropzone.yaml");
      Files.writeString(
          config,
          "s3:\n  bucket: dzone\n  endpoint: "
              + s3.endpoint()
              + "\n  accessKeyId: "
              + S3ProxyFixture.ACCESS_KEY
              + "\n  secretAccessKey: "
              + S3ProxyFixture.SECRET_KEY
              + "\nkeys:\n  keysetFile: keyset.json\nftp:\n  port: 0\n  passivePorts: \"0\"\n  maxTransfers: 32\n"
              // Only to keep the test short: each address waits out its failures' delays in turn.
              + "  loginFailureDelay: 200ms\n");
      Path log = dir.resolve("gateway.log");
      Process gateway =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  HEAP,
                  "-XX:+ExitOnOutOfMemoryError",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "serve",
                  "--config",
                  config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        int port = awaitPort(gateway, log);
        // alice at work from her usual address before the attack.
        login(port, PASSWORD).disconnect();

        List<String> replies = attack(port);

        assertThat(gateway.isAlive()).as("gateway process, log:\n%s", tail(log)).isTrue();
        assertThat(replies)
            .as("every attempt is answered")
            .hasSize(ADDRESSES * 16)
            .allSatisfy(reply -> assertThat(reply).matches("(530|421) .*"));
        assertThat(Files.readString(log))
            .contains("Password checks: at most 1 at once")
            .doesNotContain("OutOfMemoryError");

        FTPClient alice = login(port, PASSWORD);
        byte[] content = Content.bytes(3, 50_000);
        assertThat(alice.storeFile("after.bin", new ByteArrayInputStream(content)))
            .as(alice.getReplyString())
            .isTrue();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(alice.retrieveFile("after.bin", back)).isTrue();
        assertThat(back.toByteArray()).isEqualTo(content);
        alice.logout();
        alice.disconnect();
      } finally {
        gateway.destroy();
        if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
          gateway.destroyForcibly().waitFor();
        }
      }
    }
  }

  /** 16 connections from each of several addresses send a wrong PASS at the same moment. */
  private static List<String> attack(int port) throws Exception {
    int attempts = ADDRESSES * 16;
    ExecutorService pool = Executors.newFixedThreadPool(attempts);
    try {
      CountDownLatch connected = new CountDownLatch(attempts);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        int n = i;
        answers.add(
            pool.submit(
                () -> {
                  RawControl control;
                  String greeting;
                  try {
                    control = new RawControl(port, SourceAddresses.address(n % ADDRESSES));
                    greeting = control.reply();
                  } finally {
                    connected.countDown();
                  }
                  try (control) {
                    if (!greeting.startsWith("220")) {
                      return greeting;
                    }
                    go.await();
                    return control.login(n % 2 == 0 ? "alice" : "user" + n, "guess " + n);
                  }
                }));
      }
      connected.await(60, TimeUnit.SECONDS);
      go.countDown();
      List<String> replies = new ArrayList<>();
      for (Future<String> answer : answers) {
        replies.add(answer.get(120, TimeUnit.SECONDS));
      }
      return replies;
    } finally {
      pool.shutdownNow();
    }
  }

  private static FTPClient login(int port, String password) throws IOException {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", port);
    assertThat(client.login("alice", password)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static int awaitPort(Process gateway, Path log) {
    int[] port = {0};
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              if (!gateway.isAlive()) {
                throw new AssertionError("gateway exited at start:\n" + tail(log));
              }
              Matcher m = LISTENING.matcher(Files.readString(log));
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
              }
              return port[0] != 0;
            });
    return port[0];
  }

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log);
    return text.substring(Math.max(0, text.length() - 4000));
  }
}
