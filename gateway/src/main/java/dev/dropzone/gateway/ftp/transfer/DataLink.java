package dev.dropzone.gateway.ftp.transfer;

import dev.dropzone.gateway.ftp.data.Abortable;
import dev.dropzone.gateway.ftp.transfer.Transfer.Party;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.DataType;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.IODataConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open data connection, driven by Dropzone instead of MINA's copy loop: every byte that crosses
 * it is counted for the progress watchdog, it can be {@link #sever severed} from any thread (ABOR,
 * watchdog, shutdown), and compressed uploads (MODE Z) are inflated under a ratio limit.
 *
 * <p>MINA does not expose the data socket, so it is read from the connection once MINA opened it
 * (and did any TLS wrapping). MINA's own loop also copies 4 KiB at a time through buffered streams
 * on each side, which costs more CPU than the encryption; this one moves large blocks.
 */
public final class DataLink {

  private static final Logger LOG = LoggerFactory.getLogger(DataLink.class);

  /** Large enough to amortise a system call; four per Tink segment. */
  static final int BLOCK = 256 << 10;

  /**
   * Writes to the client go out in slices of this size, so that a slow reader still shows progress
   * to the watchdog between slices.
   */
  static final int SLICE = 64 << 10;

  private static final Field SOCKET = field(IODataConnection.class, "socket", Socket.class);

  private final Socket socket;
  private final Transfer transfer;
  private final boolean ascii;
  private final boolean compressed;

  private DataLink(Socket socket, Transfer transfer, boolean ascii, boolean compressed) {
    this.socket = socket;
    this.transfer = transfer;
    this.ascii = ascii;
    this.compressed = compressed;
  }

  /**
   * Fails at startup, not at the first transfer, when the MINA version on the class path is not one
   * whose data connections Dropzone can drive.
   */
  public static void requireSupported() {
    if (SOCKET == null) {
      throw new IllegalStateException(
          "this Apache FtpServer version keeps its data socket elsewhere (IODataConnection.socket);"
              + " Dropzone cannot time out, abort or limit transfers with it: use the FtpServer"
              + " version Dropzone was built with");
    }
  }

  /**
   * Takes over the data connection MINA just opened for {@code transfer}, in the session's mode.
   *
   * @return null when MINA opened none (it closes a connection from a foreign address and hands
   *     back an empty one)
   */
  public static DataLink take(FtpIoSession session, DataConnection data, Transfer transfer) {
    if (!(data instanceof IODataConnection) || SOCKET == null) {
      throw new IllegalStateException(
          "unsupported data connection type " + data.getClass().getName());
    }
    Socket socket;
    try {
      socket = (Socket) SOCKET.get(data);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot reach the data socket", e);
    }
    if (socket == null) {
      return null;
    }
    DataLink link =
        new DataLink(
            socket,
            transfer,
            session.getDataType() == DataType.ASCII,
            session.getDataConnection().isZipMode());
    transfer.attach(link);
    return link;
  }

  /**
   * Copies the client's upload into {@code sink} until the client ends the data connection with an
   * orderly close, then closes our side.
   *
   * @param maxRatio most plaintext bytes per compressed byte a MODE Z upload may inflate to
   * @return bytes written to {@code sink}
   * @throws IOException when the connection broke or was severed, or the sink failed
   */
  public long receive(OutputStream sink, int maxRatio) throws IOException {
    InputStream wire = new WireInput(socket.getInputStream());
    InflatingInput inflating = compressed ? new InflatingInput(wire, maxRatio) : null;
    InputStream in = inflating != null ? inflating : wire;
    OutputStream out = ascii ? new AsciiToLocal(sink) : sink;
    byte[] block = new byte[BLOCK];
    long total = 0;
    try {
      while (true) {
        transfer.waitingFor(Party.CLIENT);
        int n = in.read(block);
        if (n < 0) {
          break;
        }
        transfer.waitingFor(Party.STORAGE);
        out.write(block, 0, n);
        total += n;
      }
      if (inflating != null) {
        inflating.requireEndOfData();
      }
      transfer.dataEnded();
      transfer.waitingFor(Party.STORAGE);
      out.flush();
      transfer.waitingFor(Party.CLIENT);
      closeQuietly();
    } finally {
      transfer.detach();
      if (inflating != null) {
        inflating.release();
      }
    }
    return ascii ? ((AsciiToLocal) out).written() : total;
  }

  /**
   * Copies {@code source} to the client and closes the data connection, so the client has seen the
   * end of the data before the reply.
   *
   * @return plaintext bytes read from {@code source}
   */
  public long send(InputStream source) throws IOException {
    Deflater deflater = compressed ? new Deflater() : null;
    OutputStream wire = new WireOutput(socket.getOutputStream());
    OutputStream deflating =
        deflater == null ? wire : new DeflaterOutputStream(wire, deflater, BLOCK);
    OutputStream out = ascii ? new LocalToAscii(deflating) : deflating;
    byte[] block = new byte[BLOCK];
    long total = 0;
    try {
      while (true) {
        transfer.waitingFor(Party.STORAGE);
        int n = source.read(block);
        if (n < 0) {
          break;
        }
        transfer.waitingFor(Party.CLIENT);
        out.write(block, 0, n);
        total += n;
      }
      transfer.waitingFor(Party.CLIENT);
      out.flush();
      if (deflater != null) {
        ((DeflaterOutputStream) deflating).finish();
      }
      wire.flush();
      // Still watched: with TLS the close writes close_notify, which a client that stopped
      // reading can block for ever; the watchdog then cuts it as a stalled transfer.
      transfer.waitingFor(Party.CLIENT);
      socket.close();
    } finally {
      transfer.detach();
      if (deflater != null) {
        deflater.end();
      }
    }
    return total;
  }

  /**
   * Cuts the connection with a reset, from any thread: a read or write blocked on it fails at once.
   * A TLS connection is aborted without close_notify, which would wait behind a blocked writer.
   */
  public void sever() {
    if (socket instanceof Abortable tls) {
      tls.abort();
      return;
    }
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // Already closed: nothing to sever.
    }
    closeQuietly();
  }

  /**
   * Closes after the client ended the upload, as MINA does, so the connection is gone before the
   * reply. Every byte has arrived by then; a failure here is only the client's side being gone
   * already (with TLS our close_notify can meet its reset), so it does not fail the upload.
   */
  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("Data connection already gone when closing it: {}", e.toString());
    }
  }

  /** Counts what arrives from the client. */
  private final class WireInput extends FilterInputStream {

    WireInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        transfer.moved(n);
        transfer.session().increaseReadDataBytes(n);
      }
      return n;
    }

    /** The data socket's stream; closing it would close the socket, which is not ours to do. */
    @Override
    public void close() {}
  }

  /** Writes to the client in slices, counting each. */
  private final class WireOutput extends FilterOutputStream {

    WireOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, SLICE);
        out.write(b, off, n);
        transfer.moved(n);
        transfer.session().increaseWrittenDataBytes(n);
        off += n;
        len -= n;
      }
    }

    @Override
    public void close() {}
  }

  private static Field field(Class<?> owner, String name, Class<?> type) {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      if (!type.isAssignableFrom(field.getType())) {
        throw new NoSuchFieldException(name + " is a " + field.getType());
      }
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.error("MINA's data connection has no usable field {}: {}", name, e.toString());
      return null;
    }
  }
}
