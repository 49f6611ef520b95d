package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** EPRT through the real server: literal addresses work, host names are refused unresolved. */
class ActiveModeTest {

  private static GatewayUnderTest gw;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void eprtWithAHostNameIsRefusedWithoutLookingItUp() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      // Looked up, "localhost" would be the client's own address and be accepted.
      assertThat(control.send("EPRT |1|localhost|51000|"))
          .isEqualTo(
              "501 EPRT argument is malformed: EPRT address must be a literal IPv4 address like"
                  + " 192.0.2.7, not a host name");
      assertThat(control.send("EPRT |1|cafe.be|51000|")).startsWith("501 EPRT argument is");
      assertThat(control.send("EPRT |2|localhost|51000|"))
          .isEqualTo(
              "501 EPRT argument is malformed: EPRT address must be a literal IPv6 address like"
                  + " 2001:db8::1, not a host name");
      assertThat(control.send("LIST")).isEqualTo("503 Send PASV, EPSV, PORT or EPRT first");
    }
  }

  @Test
  void eprtWithTheClientsOwnLiteralAddressConnectsBack() throws Exception {
    try (RawControl control = new RawControl(gw.port());
        ServerSocket client = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("EPRT |1|127.0.0.1|" + client.getLocalPort() + "|"))
          .isEqualTo("200 EPRT command successful");
      assertThat(control.send("NLST")).startsWith("150");
      try (Socket data = client.accept();
          InputStream in = data.getInputStream()) {
        in.readAllBytes();
      }
      assertThat(control.reply()).startsWith("226");
    }
  }
}
