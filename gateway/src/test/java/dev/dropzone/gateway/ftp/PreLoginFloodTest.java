package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * Connections that never log in, opened by the thousand from many addresses with raw sockets,
 * against a gateway with the product's default limits: they use up only the pre-login budget, so a
 * user logged in before the flood keeps working and a new user still logs in and transfers.
 */
class PreLoginFloodTest {

  @Test
  void thousandsOfIdleConnectionsDoNotKeepUsersOut() throws Exception {
    SourceAddresses.assumeAvailable();
    // Each idle connection costs two descriptors in this JVM (client and gateway side), and CI
    // machines may allow fewer than this one (20,000): size the flood to what fits.
    int idle = (int) Math.min(2000, (SourceAddresses.freeFileDescriptors() - 2000) / 2);
    SettingsBuilder settings = SettingsBuilder.productDefaults();
    int waitingLimit = settings.logins.maxPreLoginConnections();
    assumeTrue(
        idle >= 2 * waitingLimit,
        "too few file descriptors for a flood beyond ftp.maxPreLoginConnections: " + idle);
    int perAddress = settings.logins.maxPreLoginConnectionsPerIp();
    List<Socket> flood = new ArrayList<>();
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      FTPClient before = gw.login("bob");
      try {
        for (int i = 0; i < idle; i++) {
          Socket socket = new Socket();
          flood.add(socket);
          socket.bind(new InetSocketAddress(SourceAddresses.address(i / perAddress), 0));
          socket.connect(new InetSocketAddress("127.0.0.1", gw.port()), 10_000);
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    gw.gateway.connectionsWaitingToLogIn() == waitingLimit
                        && gw.gateway.controlSessions().size() <= waitingLimit + 1);

        try (BufferedReader oldest =
            new BufferedReader(
                new InputStreamReader(flood.get(0).getInputStream(), StandardCharsets.UTF_8))) {
          assertThat(oldest.readLine()).startsWith("220");
          assertThat(oldest.readLine())
              .as("the connection silent longest made room")
              .isEqualTo(
                  "421 Too many connections waiting to log in; closing this idle one, reconnect");
        }

        FTPClient alice = gw.login("alice");
        byte[] content = Content.bytes(17, 300_000);
        assertThat(alice.storeFile("after-flood.bin", new ByteArrayInputStream(content)))
            .as(alice.getReplyString())
            .isTrue();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(alice.retrieveFile("after-flood.bin", back)).isTrue();
        assertThat(back.toByteArray()).isEqualTo(content);
        alice.logout();
        alice.disconnect();

        assertThat(before.sendNoOp())
            .as("a session logged in before the flood keeps working")
            .isTrue();
        assertThat(before.listNames()).isNotNull();
        before.logout();
        before.disconnect();
      } finally {
        for (Socket socket : flood) {
          socket.close();
        }
      }
    }
  }
}
