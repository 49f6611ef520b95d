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

/** STAT for a user who may list: session status, and a path's listing over the control link. */
class StatusTest {

  private static final int ENTRIES = 300;

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayUnderTest.start();
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("MKD many")).startsWith("257");
      for (int i = 0; i < ENTRIES; i++) {
        assertThat(control.send("MKD many/d" + i)).startsWith("257");
      }
    }
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void statOfADirectoryListsEveryEntryInOneMultiLineReply() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port());
        BufferedReader in = loggedIn(socket)) {
      send(socket, "STAT many");
      assertListing(in);
      send(socket, "NOOP");
      assertThat(in.readLine()).startsWith("200");
    }
  }

  @Test
  void commandsSentDuringADirectorysStatAreAnsweredAfterItsLastLine() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port());
        BufferedReader in = loggedIn(socket)) {
      // ABOR and STAT reach a running transfer at once; not one that answers on this connection.
      send(socket, "STAT many\r\nSTAT\r\nABOR\r\nNOOP");
      assertListing(in);
      assertThat(in.readLine()).startsWith("211-");
      String line = in.readLine();
      while (line.startsWith(" ")) {
        line = in.readLine();
      }
      assertThat(line).isEqualTo("211 End of status");
      assertThat(in.readLine()).startsWith("2");
      assertThat(in.readLine()).startsWith("200");
    }
  }

  /** Logs in as alice over {@code socket}; returns its reader, past the 230. */
  private static BufferedReader loggedIn(Socket socket) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    assertThat(in.readLine()).startsWith("220");
    send(socket, "USER alice\r\nPASS " + TestUsers.PASSWORD);
    assertThat(in.readLine()).startsWith("331");
    assertThat(in.readLine()).startsWith("230");
    return in;
  }

  private static void send(Socket socket, String lines) throws Exception {
    socket.getOutputStream().write((lines + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The 212 reply to STAT many: its header, one line per entry and nothing else, its end. */
  private static void assertListing(BufferedReader in) throws Exception {
    assertThat(in.readLine()).isEqualTo("212-Status of /many:");
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); !line.startsWith("212 "); line = in.readLine()) {
      lines.add(line);
    }
    assertThat(lines).hasSize(ENTRIES).allMatch(line -> line.startsWith(" drwx------"));
  }

  @Test
  void statOfAFileAndOfTheSession() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("STAT many/d7")).startsWith("212");
      assertThat(control.send("STAT missing")).startsWith("550");
      assertThat(control.send("STAT")).startsWith("211 End of status");
    }
  }
}
