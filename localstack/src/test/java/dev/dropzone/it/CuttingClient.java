package dev.dropzone.it;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;

/** A Commons Net client that hands out the raw STOR data socket, so a test can cut it. */
final class CuttingClient extends FTPClient {

  /** Sends STOR and returns the data connection once the server has answered 150. */
  Socket beginStore(String name) throws IOException {
    Socket socket = _openDataConnection_("STOR", name);
    if (socket == null) {
      throw new IOException("STOR refused: " + getReplyString());
    }
    return socket;
  }

  /** Cuts the connection with a TCP reset, the way a crashed client or a dead link does. */
  static void cut(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }
}
