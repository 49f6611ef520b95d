package dev.dropzone.gateway.scan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection to clamd in an {@code IDSESSION}, so it can carry one {@code INSTREAM} after
 * another. Requests are strictly one at a time: a stream is sent, its reply read, and only then may
 * the next start, as clamd requires of session clients.
 *
 * <p>Wire format: commands are {@code z}-prefixed and NUL-terminated; stream data goes as chunks of
 * a 4-byte big-endian length and the bytes, ended by a zero length; in a session every reply is
 * {@code "<request number>: <reply>\0"}, e.g. {@code "3: stream: Eicar-Signature FOUND"}.
 */
final class ClamdConnection implements Closeable {

  private static final byte[] IDSESSION = command("zIDSESSION");
  private static final byte[] INSTREAM = command("zINSTREAM");
  private static final int MAX_REPLY = 4096;

  private final SocketChannel channel;
  private final Watchdog.Guard watchdog;
  private final ByteBuffer header = ByteBuffer.allocate(4);
  private final ByteBuffer reply = ByteBuffer.allocate(MAX_REPLY);
  private final ByteBuffer probe = ByteBuffer.allocate(1);
  private int requests;

  private ClamdConnection(SocketChannel channel, Watchdog watchdog) {
    this.channel = channel;
    this.watchdog = watchdog.guard(channel);
  }

  /** Connects and starts a session, all within {@code timeout}. */
  static ClamdConnection open(ClamdAddress address, Watchdog watchdog, Duration timeout)
      throws IOException {
    SocketChannel channel = address.newChannel();
    ClamdConnection connection = new ClamdConnection(channel, watchdog);
    try {
      connection.watchdog.within(
          timeout,
          "connecting to clamd at " + address,
          () -> {
            channel.connect(address.socketAddress());
            connection.writeFully(ByteBuffer.wrap(IDSESSION));
            return null;
          });
      return connection;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Starts an {@code INSTREAM} request. */
  void startStream(Duration timeout) throws IOException {
    requests++;
    watchdog.within(
        timeout,
        "starting a scan",
        () -> {
          writeFully(ByteBuffer.wrap(INSTREAM));
          return null;
        });
  }

  /** Sends one chunk of the stream; waits at most {@code timeout} for clamd to take it. */
  void send(byte[] bytes, int offset, int length, Duration timeout) throws IOException {
    if (length == 0) {
      return;
    }
    header.clear();
    header.putInt(length).flip();
    ByteBuffer[] chunk = {header, ByteBuffer.wrap(bytes, offset, length)};
    watchdog.within(
        timeout,
        "sending data to clamd",
        () -> {
          try {
            while (chunk[1].hasRemaining()) {
              channel.write(chunk);
            }
          } catch (IOException e) {
            throw refusal(e);
          }
          return null;
        });
  }

  /**
   * Ends the stream and waits at most {@code timeout} for clamd's reply to it.
   *
   * @return the reply without the request number, e.g. {@code "stream: OK"}
   */
  String finishStream(Duration timeout) throws IOException {
    header.clear();
    header.putInt(0).flip();
    return watchdog.within(
        timeout,
        "waiting for clamd's verdict",
        () -> {
          try {
            writeFully(header);
          } catch (IOException e) {
            // clamd may have answered and closed before the end of the stream (over its
            // StreamMaxLength): the answer is still waiting to be read.
            return withoutRequestNumber(replyAfter(e));
          }
          return withoutRequestNumber(readReply());
        });
  }

  /**
   * A write to clamd failed: clamd answers a stream it will not take (over its StreamMaxLength) and
   * closes the connection, so the answer, with what it means, is a better error than the broken
   * pipe.
   */
  private IOException refusal(IOException failure) {
    try {
      ClamdReplies.verdict(withoutRequestNumber(replyAfter(failure)));
      return failure;
    } catch (IOException said) {
      return said == failure ? failure : new IOException(said.getMessage(), failure);
    }
  }

  /** What clamd said before the connection broke with {@code failure}, else {@code failure}. */
  private String replyAfter(IOException failure) throws IOException {
    try {
      return readReply();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
      throw failure;
    }
  }

  /**
   * True when the connection is idle and still open: clamd has neither closed it nor sent anything
   * unasked (it says {@code COMMAND READ TIMED OUT} before closing an idle session). Never blocks.
   */
  boolean isIdleAndOpen() {
    if (!channel.isOpen()) {
      return false;
    }
    try {
      channel.configureBlocking(false);
      probe.clear();
      int read = channel.read(probe);
      channel.configureBlocking(true);
      return read == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private String readReply() throws IOException {
    reply.clear();
    while (true) {
      int start = reply.position();
      if (channel.read(reply) < 0) {
        throw new IOException(
            "clamd closed the connection"
                + (reply.position() > 0 ? " after '" + text(reply.position()) + "'" : ""));
      }
      for (int i = start; i < reply.position(); i++) {
        if (reply.get(i) == 0) {
          return text(i);
        }
      }
      if (!reply.hasRemaining()) {
        throw new IOException("clamd's reply is longer than " + MAX_REPLY + " bytes");
      }
    }
  }

  private String text(int length) {
    return new String(reply.array(), 0, length, StandardCharsets.UTF_8).strip();
  }

  private String withoutRequestNumber(String line) throws IOException {
    String expected = requests + ": ";
    if (!line.startsWith(expected)) {
      throw new IOException(
          "clamd answered '" + line + "' to request " + requests + " of its session");
    }
    return line.substring(expected.length());
  }

  private void writeFully(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static byte[] command(String name) {
    byte[] text = name.getBytes(StandardCharsets.US_ASCII);
    byte[] terminated = new byte[text.length + 1];
    System.arraycopy(text, 0, terminated, 0, text.length);
    return terminated;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
