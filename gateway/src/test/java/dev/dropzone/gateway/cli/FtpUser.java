package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.runtime.GatewayRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/** A user of a running gateway, through a real FTP client: one session per transfer. */
record FtpUser(GatewayRuntime gateway, String name, String password) {

  byte[] retrieve(String path) throws Exception {
    FTPClient client = login();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(client.retrieveFile(path, out)).as(client.getReplyString()).isTrue();
      return out.toByteArray();
    } finally {
      client.disconnect();
    }
  }

  void store(String path, byte[] content) throws Exception {
    FTPClient client = login();
    try {
      assertThat(client.storeFile(path, new ByteArrayInputStream(content)))
          .as(client.getReplyString())
          .isTrue();
    } finally {
      client.disconnect();
    }
  }

  /** RETR fails with a 550 reply containing {@code why}, and no byte arrives. */
  void assertRefused(String path, String why) throws Exception {
    FTPClient client = login();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(client.retrieveFile(path, out)).as(client.getReplyString()).isFalse();
      assertThat(client.getReplyString()).startsWith("550 ").contains(why);
      assertThat(out.size()).isZero();
    } finally {
      client.disconnect();
    }
  }

  private FTPClient login() throws Exception {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", gateway.ftpPort());
    assertThat(client.login(name, password)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }
}
