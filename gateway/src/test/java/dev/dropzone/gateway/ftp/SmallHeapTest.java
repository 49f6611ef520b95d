package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code dropzone serve} in a child JVM with a small heap, as a container with little memory runs
 * it. Below what its settings need it refuses to start and says how much heap that is; at the
 * smallest heap it accepts, many concurrent uploads all get their reply and the gateway keeps
 * serving afterwards. The S3 server runs in this JVM on disk, so objects never sit on the child's
 * heap.
 */
class SmallHeapTest {

  private static final String BUCKET = "small";
  private static final String USER = "heidi";
  private static final String PASSWORD = "heidi-password";
  private static final int MIB = 1 << 20;
  private static final Pattern LISTENING = Pattern.compile("FTP: ftp://[^:]+:(\\d+)/");

  @TempDir Path dir;

  @Test
  void aHeapTooSmallForTheSettingsIsRefusedNamingTheMinimumAndTheSettings() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.onDisk(dir.resolve("s3"))) {
      Path config = configure(s3, "");
      Process child = serve("-Xmx96m", config);
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();

      assertThat(child.exitValue()).as(output).isEqualTo(2);
      assertThat(output)
          .contains("Error: the JVM's heap of ")
          .contains("is too small for these settings, which need 264 MiB")
          .contains("3 MiB for each of the 64 transfers ftp.maxTransfers allows")
          .contains("Give the JVM at least -Xmx264m")
          .doesNotContain("Exception")
          .doesNotContain("FTP: ftp://");
    }
  }

  @Test
  void atTheSmallestHeapItAcceptsConcurrentUploadsAllGetTheirReplyAndServingGoesOn()
      throws Exception {
    int clients = 16;
    long size = 24L * MIB;
    try (S3ProxyFixture s3 = S3ProxyFixture.onDisk(dir.resolve("s3"))) {
      // 64 MiB for the gateway + 16 × 3 MiB for transfers leaves 16 MiB of part buffers: two
      // parts for sixteen uploads of three parts each, so they also wait for memory.
      Path config = configure(s3, "  maxTransfers: 16\n  maxConnectionsPerIp: 40\n");
      Process child = serve("-Xmx128m", config);
      ChildOutput output = new ChildOutput(child.getInputStream());
      try {
        int port = output.awaitPort();
        // Logged in one after the other: each password check holds 19 MiB (Argon2id) while it
        // runs, which this plan does not cover; sixteen at once exhaust a 128 MiB heap.
        List<FTPClient> sessions = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          sessions.add(login(port));
        }
        ExecutorService uploaders = Executors.newFixedThreadPool(clients);
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          int seed = i;
          FTPClient session = sessions.get(i);
          replies.add(CompletableFuture.supplyAsync(() -> upload(session, seed, size), uploaders));
        }
        List<String> answered = new ArrayList<>();
        for (CompletableFuture<String> reply : replies) {
          answered.add(reply.get(5, TimeUnit.MINUTES));
        }
        uploaders.shutdown();
        assertThat(answered)
            .as("every client's final reply; gateway output:%n%s", output)
            .allMatch(reply -> reply.startsWith("226"));

        FTPClient later = login(port);
        byte[] content = Content.bytes(99, 9 * MIB);
        assertThat(later.storeFile("later.bin", new ByteArrayInputStream(content)))
            .as(later.getReplyString())
            .isTrue();
        Content.Sink back = new Content.Sink();
        assertThat(later.retrieveFile("upload-7.bin", back)).as(later.getReplyString()).isTrue();
        assertThat(back.sha256()).isEqualTo(Content.sha256(7, size));
        later.logout();
        later.disconnect();
        assertThat(output.toString()).doesNotContain("OutOfMemoryError");
      } finally {
        child.destroy();
        child.waitFor(60, TimeUnit.SECONDS);
      }
      try (S3Client raw = S3Clients.create(s3.bucket(BUCKET, ""))) {
        assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
      }
    }
  }

  /** Uploads {@code size} bytes as {@code upload-<seed>.bin}; returns the final reply. */
  private static String upload(FTPClient client, int seed, long size) {
    try (InputStream content = Content.random(seed, size)) {
      client.storeFile("upload-" + seed + ".bin", content);
      return client.getReplyString();
    } catch (IOException e) {
      return "no reply: " + e;
    } finally {
      try {
        client.disconnect();
      } catch (IOException ignored) {
        // The reply is what counts.
      }
    }
  }

  private static FTPClient login(int port) throws IOException {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", port);
    assertThat(client.login(USER, PASSWORD)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  /** A config file, keyset and users file for {@code serve}; {@code ftp} adds ftp.* lines. */
  private Path configure(S3ProxyFixture s3, String ftp) throws Exception {
    S3Settings settings = s3.bucket(BUCKET, "");
    LocalKeyService.create(dir.resolve("keyset.json"));
    new UsersFile(dir.resolve("users.yaml"))
        .write(List.of(UserEntry.of(USER, PasswordHashes.hash(PASSWORD.toCharArray()))));
    Path config = dir.resolve("dropzone.yaml");
    Files.writeString(
        config,
        "s3:\n"
            + "  endpoint: "
            + settings.endpoint()
            + "\n  bucket: "
            + BUCKET
            + "\n  accessKeyId: "
            + S3ProxyFixture.ACCESS_KEY
            + "\n  secretAccessKey: "
            + S3ProxyFixture.SECRET_KEY
            + "\nkeys:\n  keysetFile: keyset.json\n"
            + "users:\n  file: users.yaml\n"
            + "ftp:\n  port: 0\n  passivePorts: \"0\"\n"
            + ftp);
    return config;
  }

  /** {@code dropzone serve -c config} in a JVM with {@code heap}, output and errors merged. */
  private static Process serve(String heap, Path config) throws IOException {
    return new ProcessBuilder(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.dropzone.gateway.cli.Main",
                "serve",
                "-c",
                config.toString()))
        .redirectErrorStream(true)
        .start();
  }

  /**
   * Drains the child's output (it blocks once the pipe is full), keeping its last lines and every
   * error line for failure messages.
   */
  private static final class ChildOutput {
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<String> errors = new ArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    ChildOutput(InputStream in) {
      Thread reader = new Thread(() -> read(in), "serve-output");
      reader.setDaemon(true);
      reader.start();
    }

    private void read(InputStream in) {
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          Matcher listening = LISTENING.matcher(line);
          if (listening.find()) {
            port.complete(Integer.parseInt(listening.group(1)));
          }
          synchronized (this) {
            if (line.contains("ERROR") || line.contains("Error")) {
              errors.add(line);
            }
            tail.addLast(line);
            if (tail.size() > 200) {
              tail.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        // The child ended.
      } finally {
        port.completeExceptionally(new IllegalStateException("serve ended without listening"));
      }
    }

    int awaitPort() throws Exception {
      try {
        return port.get(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        throw new AssertionError("serve did not start:\n" + this, e);
      }
    }

    @Override
    public synchronized String toString() {
      return "errors:\n" + String.join("\n", errors) + "\nlast lines:\n" + String.join("\n", tail);
    }
  }
}
