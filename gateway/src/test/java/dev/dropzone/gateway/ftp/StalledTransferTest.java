package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * Clients that stop moving data cannot hold a transfer forever, and transfers cannot starve the
 * command threads: greetings and commands are answered however many transfers run, and a transfer
 * beyond the limit is refused at once.
 */
class StalledTransferTest {

  private static final int MIB = 1 << 20;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aDownloadWhoseClientStopsReadingIsCutOffAfterTheDataIdleTimeout() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.dataIdleTimeout = Duration.ofSeconds(2);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      FTPClient alice = gw.login("alice");
      assertThat(alice.storeFile("big.bin", new ByteArrayInputStream(Content.bytes(5, 24 * MIB))))
          .isTrue();
      alice.disconnect();

      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        control.login("alice");
        control.send("TYPE I");
        String pasv = control.send("PASV");
        try (Socket data = new Socket()) {
          // A small window: the server's writes block once the buffers are full.
          data.setReceiveBufferSize(4096);
          data.connect(new InetSocketAddress("127.0.0.1", RawControl.port(pasv)));
          assertThat(control.send("RETR big.bin")).startsWith("150");
          // Never read: the reply comes within the idle timeout plus the watchdog's period.
          assertThat(control.reply())
              .startsWith("426 Transfer aborted: no data moved for 2 seconds");
        }
        assertThat(control.send("NOOP")).startsWith("200");
      }
      assertThat(gw.gateway.runningTransfers()).isZero();
    }
  }

  @Test
  void anUploadWhoseClientStopsSendingIsCutOffAndStoresNothing() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.dataIdleTimeout = Duration.ofSeconds(2);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      control.send("TYPE I");
      try (Socket data = control.passive()) {
        assertThat(control.send("STOR stalled.bin")).startsWith("150");
        data.getOutputStream().write(Content.bytes(6, 9 * MIB));
        // The connection stays open and silent.
        assertThat(control.reply())
            .startsWith("426 Transfer aborted: no data moved for 2 seconds; nothing was stored");
      }
      assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/stalled.bin"));
      assertThat(gw.pendingUploads()).isEmpty();
    }
  }

  @Test
  void withEveryTransferSlotBusyNewClientsAreGreetedAndTransfersRefusedClearly() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxTransfers = 2;
    // As few command threads as transfers: before transfers had their own threads, two running
    // transfers left none for greetings.
    settings.maxThreads = 2;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      List<RawControl> busy = new ArrayList<>();
      List<Socket> held = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        RawControl control = new RawControl(gw.port());
        control.reply();
        control.login("alice");
        Socket data = control.passive();
        assertThat(control.send("STOR held-" + i + ".bin")).startsWith("150");
        data.getOutputStream().write(new byte[1024]);
        busy.add(control);
        held.add(data);
      }
      await().atMost(WAIT).until(() -> gw.gateway.runningTransfers() == 2);

      for (int i = 0; i < 4; i++) {
        try (RawControl late = new RawControl(gw.port())) {
          assertThat(late.reply()).as("greeting %d", i).startsWith("220");
          assertThat(late.login("bob")).startsWith("230");
          assertThat(late.send("PWD")).startsWith("257");
          assertThat(late.send("PASV")).startsWith("227");
          assertThat(late.send("STOR refused.bin"))
              .startsWith("450 Too many transfers in progress");
          assertThat(late.send("NOOP")).startsWith("200");
        }
      }
      assertThat(busy.get(0).send("STAT")).startsWith("213 Status: upload of /held-0.bin");

      busy.get(1).sendOnly("ABOR");
      assertThat(busy.get(1).reply()).startsWith("426 Transfer aborted: aborted by the client");
      assertThat(busy.get(1).reply()).startsWith("226");
      await().atMost(WAIT).until(() -> gw.gateway.runningTransfers() == 1);
      try (RawControl next = new RawControl(gw.port())) {
        next.reply();
        next.login("bob");
        try (Socket data = next.passive()) {
          assertThat(next.send("STOR fits.bin")).startsWith("150");
          data.getOutputStream().write(new byte[] {1, 2, 3});
        }
        assertThat(next.reply()).startsWith("226");
      }
      for (Socket data : held) {
        data.close();
      }
      for (RawControl control : busy) {
        control.close();
      }
    }
  }
}
