package dev.dropzone.gateway.ftp.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.DataType;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.IODataConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a binary transfer's bytes between the data socket and the file in large blocks.
 *
 * <p>MINA's own copy loop reads 4 KiB at a time through a buffered stream on each side: three Java
 * copies and a system call per 8 KiB, which on a fast link costs more CPU than the encryption (a
 * perf profile of a 512 MiB RETR put half of the gateway's CPU in the kernel's per-call socket
 * work). MINA does not expose the data socket, so this reads it from the connection once it is
 * open; ASCII and compressed (MODE Z) transfers, which need MINA's conversions, and any other
 * connection type still go through MINA. If a MINA upgrade renames the field, every transfer falls
 * back to MINA's loop and a warning says so at startup.
 */
final class BulkCopy {

  private static final Logger LOG = LoggerFactory.getLogger(BulkCopy.class);

  /** Large enough to amortise a system call; four per Tink segment. */
  static final int BLOCK = 256 << 10;

  private static final Field SOCKET = socketField();

  private BulkCopy() {}

  /** Whether binary transfers bypass MINA's copy loop (false only after a MINA change). */
  static boolean available() {
    return SOCKET != null;
  }

  /** Copies the client's upload into {@code sink} until the client closes the connection. */
  static long fromClient(FtpIoSession session, DataConnection data, OutputStream sink)
      throws IOException {
    Socket socket = binarySocket(session, data);
    if (socket == null) {
      return data.transferFromClient(session.getFtpletSession(), sink);
    }
    InputStream in = socket.getInputStream();
    byte[] block = new byte[BLOCK];
    long total = 0;
    for (int n; (n = in.read(block)) >= 0; ) {
      sink.write(block, 0, n);
      total += n;
      session.increaseReadDataBytes(n);
      session.updateLastAccessTime();
    }
    sink.flush();
    closeAfterEnd(socket);
    return total;
  }

  /** Copies {@code source} to the client, then closes the data connection. */
  static long toClient(FtpIoSession session, DataConnection data, InputStream source)
      throws IOException {
    Socket socket = binarySocket(session, data);
    if (socket == null) {
      return data.transferToClient(session.getFtpletSession(), source);
    }
    // Closed when done, as MINA does: the client sees the end of the data before the 226.
    try (OutputStream out = socket.getOutputStream()) {
      byte[] block = new byte[BLOCK];
      long total = 0;
      for (int n; (n = source.read(block)) >= 0; ) {
        out.write(block, 0, n);
        total += n;
        session.increaseWrittenDataBytes(n);
        session.updateLastAccessTime();
      }
      out.flush();
      return total;
    }
  }

  /**
   * Closes the data connection once the client has ended it, as MINA does, so it is gone before the
   * reply. Every byte has arrived by then; a failure here is only the client's side being gone
   * already (with TLS our close_notify can meet its reset), so it does not fail the upload.
   */
  private static void closeAfterEnd(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("Data connection already gone after the end of an upload: {}", e.toString());
    }
  }

  /** The open data socket of a plain binary transfer, or null where MINA must do the copying. */
  private static Socket binarySocket(FtpIoSession session, DataConnection data) {
    if (SOCKET == null
        || !(data instanceof IODataConnection)
        || session.getDataType() != DataType.BINARY
        || session.getDataConnection().isZipMode()) {
      return null;
    }
    try {
      return (Socket) SOCKET.get(data);
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private static Field socketField() {
    try {
      Field field = IODataConnection.class.getDeclaredField("socket");
      field.setAccessible(true);
      if (!Socket.class.isAssignableFrom(field.getType())) {
        throw new NoSuchFieldException("socket is a " + field.getType());
      }
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "Data transfers use MINA's 4 KiB copy loop ({}): expect more CPU per GiB; this MINA"
              + " version is not the one Dropzone was built with",
          e.toString());
      return null;
    }
  }
}
