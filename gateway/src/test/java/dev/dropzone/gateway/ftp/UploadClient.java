package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;

/** A Commons Net client that hands out the raw data socket, so a test can cut it. */
final class UploadClient extends FTPClient {

  /** Sends STOR and returns the data connection, after the server's 150. */
  Socket beginStore(String name) throws IOException {
    Socket socket = _openDataConnection_("STOR", name);
    if (socket == null) {
      throw new IOException("STOR refused: " + getReplyString());
    }
    return socket;
  }

  /** Cuts the data connection with a TCP reset, the way a crashed client or a dead link does. */
  static void cut(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /**
   * Sends {@code data} as STOR and returns the final reply. A server that refuses part way stops
   * reading, so a client still sending may see its data connection reset before the reply arrives:
   * as with a real client, that is not the outcome, the reply is.
   */
  static int storeUntilRefused(FTPClient client, String name, InputStream data) throws IOException {
    OutputStream out = client.storeFileStream(name);
    assertThat(out).as(client.getReplyString()).isNotNull();
    try (out) {
      data.transferTo(out);
    } catch (IOException expected) {
      // The server closed the data connection; the reply below says why.
    }
    client.completePendingCommand();
    return client.getReplyCode();
  }
}
