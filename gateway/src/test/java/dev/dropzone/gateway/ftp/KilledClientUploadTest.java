package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that dies mid-upload closes its data and control connections at the same instant; the
 * data connection's orderly close then looks like the end of a complete file. None of those
 * truncated files may be stored, and no multipart upload may be left behind. Sizes run from well
 * inside one part (the hardest case: almost nothing happens between the end of the data and the
 * commit) to past the first part.
 */
class KilledClientUploadTest {

  private static final int KIB = 1024;
  private static final int[] SIZES_KIB = {64, 256, 1024, 3072, 9216};
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 100;
    gw = GatewayUnderTest.start(settings.build());
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void curlKilledWithSigkillMidUploadStoresNothing() throws Exception {
    List<String> names = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      String name = "killed-" + round + ".bin";
      names.add(name);
      Process curl =
          new ProcessBuilder(
                  "curl",
                  "--silent",
                  "--user",
                  "alice:" + TestUsers.PASSWORD,
                  "--upload-file",
                  "-",
                  "ftp://127.0.0.1:" + gw.port() + "/" + name)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectErrorStream(true)
              .start();
      long size = SIZES_KIB[round % SIZES_KIB.length] * (long) KIB;
      // curl uploads what it reads from its input and waits for more: the transfer is running
      // when the process dies, exactly as a client killed in the middle of a file.
      OutputStream input = curl.getOutputStream();
      try (InputStream content = Content.random(round, size)) {
        content.transferTo(input);
      }
      input.flush();
      await().atMost(WAIT).until(() -> gw.gateway.bytesInFlight() >= size);
      curl.destroyForcibly().waitFor();
      awaitIdle();
    }
    assertNothingStored(names);
  }

  @Test
  void controlAndDataClosedBackToBackStoreNothing() throws Exception {
    // The closes come from this JVM, which shares two cores with the gateway: between the two,
    // this thread may wait several milliseconds for a core. A dying process's kernel closes both
    // within microseconds; the settle time here covers the scheduling, not the client.
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 100;
    settings.uploadSettleTime = Duration.ofMillis(500);
    try (GatewayUnderTest own = GatewayUnderTest.start(settings.build())) {
      List<String> names = new ArrayList<>();
      for (int round = 0; round < 10; round++) {
        String name = "cut-" + round + ".bin";
        names.add(name);
        RawControl control = new RawControl(own.port());
        control.reply();
        control.login("alice");
        control.send("TYPE I");
        Socket data = control.passive();
        assertThat(control.send("STOR " + name)).startsWith("150");
        long size = SIZES_KIB[round % SIZES_KIB.length] * (long) KIB;
        try (InputStream content = Content.random(round, size)) {
          content.transferTo(data.getOutputStream());
        }
        await().atMost(WAIT).until(() -> own.gateway.bytesInFlight() >= size);
        if (round % 2 == 0) {
          data.close();
          control.close();
        } else {
          control.close();
          data.close();
        }
        await().atMost(WAIT).until(() -> own.gateway.runningTransfers() == 0);
      }
      assertThat(own.objectKeys())
          .noneMatch(key -> names.stream().anyMatch(n -> key.endsWith("/" + n)));
      assertThat(own.pendingUploads()).isEmpty();
    }
  }

  @Test
  void aClientThatWaitsForTheReplyGetsItsFileStored() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      control.send("TYPE I");
      Socket data = control.passive();
      assertThat(control.send("STOR complete.bin")).startsWith("150");
      byte[] content = Content.bytes(42, 300 * KIB);
      try (data) {
        data.getOutputStream().write(content);
      }
      assertThat(control.reply()).startsWith("226 Transfer complete");
    }
    assertThat(gw.objectKeys()).anyMatch(key -> key.endsWith("/complete.bin"));
  }

  private static void awaitIdle() {
    await().atMost(WAIT).until(() -> gw.gateway.runningTransfers() == 0);
  }

  private static void assertNothingStored(List<String> names) throws IOException {
    assertThat(gw.objectKeys())
        .noneMatch(key -> names.stream().anyMatch(n -> key.endsWith("/" + n)));
    assertThat(gw.pendingUploads()).isEmpty();
  }
}
