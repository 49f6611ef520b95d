package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies MINA gave that were not true here: SITE HELP listed administrators' commands Dropzone has
 * no use for and REST misspelt its refusal. EPSV's protocol numbers are checked too.
 */
class ProtocolRepliesTest {

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void siteHelpListsTheSiteCommandsThatWorkAndTheAdministratorsOnesAreRefused() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port())) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      in.readLine();
      String login = "USER alice\r\nPASS " + TestUsers.PASSWORD + "\r\nSITE HELP\r\n";
      socket.getOutputStream().write(login.getBytes(StandardCharsets.UTF_8));
      in.readLine();
      assertThat(in.readLine()).startsWith("230");
      List<String> help = new ArrayList<>();
      String line;
      do {
        line = in.readLine();
        help.add(line);
      } while (line != null && !line.startsWith("214 "));
      assertThat(help.get(0)).isEqualTo("214-SITE commands:");
      assertThat(String.join("\n", help))
          .contains("SITE UTIME", "SITE ZONE", "SITE HELP")
          .doesNotContain("WHO", "DESCUSER", "STAT");
    }
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      for (String command : new String[] {"WHO", "STAT", "DESCUSER alice"}) {
        assertThat(control.send("SITE " + command))
            .isEqualTo(
                "502 SITE "
                    + command.split(" ")[0]
                    + " is not supported by this server; SITE HELP lists what is");
      }
      assertThat(control.send("SITE ZONE")).startsWith("200");
    }
  }

  @Test
  void protWithoutFtpsSaysTheServerHasNone() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("PROT P"))
          .isEqualTo(
              "503 PROT is valid only on a protected connection: this server has no FTPS"
                  + " configured");
    }
  }

  @Test
  void aNegativeRestartMarkerIsRefusedInWordsThatSayWhatRestTakes() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("REST -5"))
          .isEqualTo("501 REST takes the byte offset to resume from, 0 or more, not -5");
      assertThat(control.send("REST 5")).startsWith("350");
      assertThat(control.send("REST x")).startsWith("501");
    }
  }

  @Test
  void epsvAnswersForBothNetworkProtocolsAndRefusesOthers() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      // A client behind NAT64 asks for IPv6 from an IPv4 server: the reply's port still works.
      assertThat(control.send("EPSV 2")).startsWith("229");
      assertThat(control.send("EPSV 1")).startsWith("229");
      assertThat(control.send("EPSV 3")).isEqualTo("522 Network protocol not supported, use (1,2)");
    }
  }
}
