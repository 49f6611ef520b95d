package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * REIN logs a session out and lets it log in again, maybe as someone else: nothing of the first
 * user's session (tree, working directory, pending rename, restart offset) may reach the second.
 */
class ReinitializeTest {

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
  void aSessionReinitializedAndLoggedInAsAnotherUserSeesOnlyThatUsersTree() throws Exception {
    FTPClient alice = gw.login("alice");
    try {
      assertThat(alice.makeDirectory("private")).isTrue();
      assertThat(
              alice.storeFile(
                  "private/secret.txt",
                  new ByteArrayInputStream("alice's".getBytes(StandardCharsets.US_ASCII))))
          .isTrue();
    } finally {
      alice.disconnect();
    }

    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("CWD private")).startsWith("250");
      assertThat(control.send("REST 3")).startsWith("350");
      assertThat(control.send("RNFR secret.txt")).startsWith("350");
      assertThat(control.send("REIN")).startsWith("220");
      assertThat(control.send("PWD")).startsWith("530");
      assertThat(control.send("RNTO /stolen.txt")).startsWith("530");

      control.login("bob");
      assertThat(control.send("PWD")).isEqualTo("257 \"/\" is the current directory");
      assertThat(control.send("RNTO /stolen.txt")).startsWith("503");
      assertThat(control.send("CWD /private")).startsWith("550");
      assertThat(control.send("SIZE /private/secret.txt")).startsWith("550");
      assertThat(control.send("MLST /private/secret.txt")).startsWith("550");
      String pasv = control.send("PASV");
      assertThat(pasv).startsWith("227");
      try (Socket data = new Socket("127.0.0.1", RawControl.port(pasv))) {
        assertThat(control.send("NLST")).startsWith("150");
        try (InputStream in = data.getInputStream()) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        }
        assertThat(control.reply()).startsWith("226");
      }
      // alice's REST 3 is gone too: bob's first upload starts at its first byte.
      String upload = control.send("PASV");
      try (Socket data = new Socket("127.0.0.1", RawControl.port(upload))) {
        assertThat(control.send("STOR mine.txt")).startsWith("150");
        data.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
        data.close();
        assertThat(control.reply()).startsWith("226");
      }
      assertThat(control.send("SIZE mine.txt")).isEqualTo("213 10");
    }

    FTPClient again = gw.login("alice");
    try {
      assertThat(again.listNames("private")).containsExactly("secret.txt");
      assertThat(again.listNames("/")).containsExactly("private");
    } finally {
      again.disconnect();
    }
    FTPClient bob = gw.login("bob");
    try {
      assertThat(bob.listNames("/")).containsExactly("mine.txt");
    } finally {
      bob.disconnect();
    }
  }
}
