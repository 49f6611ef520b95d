package dev.dropzone.gateway.ftp.connection;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.apache.ftpserver.listener.nio.FtpResponseEncoder;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.apache.mina.filter.codec.ProtocolEncoder;
import org.apache.mina.filter.codec.RecoverableProtocolDecoderException;
import org.apache.mina.filter.codec.textline.LineDelimiter;
import org.apache.mina.filter.codec.textline.TextLineDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's FTP codec with a configurable command-line limit. MINA's own decoder stops at 1,024 bytes
 * and then drops the whole connection with an error in the log; here an over-long line, or one that
 * is not UTF-8, becomes a {@link RefusedLine} (answered 500 or 501 in its turn, see {@code
 * ControlChain}), is discarded, and the connection carries on.
 */
public final class CommandLineCodec implements ProtocolCodecFactory {

  private static final Logger LOG = LoggerFactory.getLogger(CommandLineCodec.class);
  private static final String NOT_UTF8_LOGGED = CommandLineCodec.class.getName() + ".notUtf8";
  private static final String TOO_LONG_LOGGED = CommandLineCodec.class.getName() + ".tooLong";

  /**
   * A line the decoder could not make a command of, passed on in its place so that its refusal is
   * answered in turn (after the replies to the commands before it, paced and queued as commands
   * are), not written from the decoder ahead of them. It has no verb.
   *
   * @param code the reply's code
   * @param text the reply's text
   */
  public record RefusedLine(int code, String text) {
    @Override
    public String toString() {
      return "";
    }
  }

  private final ProtocolEncoder encoder = new FtpResponseEncoder();
  private final ProtocolDecoder decoder;

  public CommandLineCodec(int maxLineBytes) {
    this.decoder = new LimitedDecoder(maxLineBytes);
  }

  @Override
  public ProtocolEncoder getEncoder(IoSession session) {
    return encoder;
  }

  @Override
  public ProtocolDecoder getDecoder(IoSession session) {
    return decoder;
  }

  private static final class LimitedDecoder implements ProtocolDecoder {

    private final TextLineDecoder lines =
        new TextLineDecoder(StandardCharsets.UTF_8, LineDelimiter.AUTO);
    private final int maxLineBytes;

    LimitedDecoder(int maxLineBytes) {
      this.maxLineBytes = maxLineBytes;
      lines.setMaxLineLength(maxLineBytes);
    }

    @Override
    public void decode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
      while (true) {
        try {
          lines.decode(session, in, out);
          return;
        } catch (RecoverableProtocolDecoderException e) {
          logOnce(session, TOO_LONG_LOGGED, "over " + maxLineBytes + " bytes");
          out.write(
              new RefusedLine(500, "Command line too long (limit " + maxLineBytes + " bytes)"));
        } catch (CharacterCodingException e) {
          // Typically a name in a Windows code page ("März" as one byte for ä). Decoding it with
          // replacement characters would store a file under a name nobody sent.
          logOnce(session, NOT_UTF8_LOGGED, "that is not UTF-8 (names must be sent in UTF-8)");
          out.write(
              new RefusedLine(
                  501,
                  "Command line is not valid UTF-8: send file names in UTF-8 (this server always"
                      + " uses it)"));
          // The decoder gives up mid-line without saving where it was in a line end: decoding
          // on from that state can compute a negative length. The bad line's bytes are gone.
          lines.dispose(session);
        }
        if (!in.hasRemaining()) {
          return;
        }
      }
    }

    /** Logs a refused line once per session and kind: a client that sends one sends many. */
    private static void logOnce(IoSession session, String kind, String what) {
      if (session.setAttributeIfAbsent(kind, Boolean.TRUE) == null) {
        LOG.info(
            "Refused a command line from {} {} (not logged again for this session)",
            AdmissionFilter.address(session).getHostAddress(),
            what);
      }
    }

    @Override
    public void finishDecode(IoSession session, ProtocolDecoderOutput out) throws Exception {
      lines.finishDecode(session, out);
    }

    @Override
    public void dispose(IoSession session) throws Exception {
      lines.dispose(session);
    }
  }
}
