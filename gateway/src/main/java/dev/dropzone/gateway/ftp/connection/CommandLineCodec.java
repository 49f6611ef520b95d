package dev.dropzone.gateway.ftp.connection;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
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
 * and then drops the whole connection with an error in the log; here an over-long line gets a 500
 * reply, is discarded, and the connection carries on.
 */
public final class CommandLineCodec implements ProtocolCodecFactory {

  private static final Logger LOG = LoggerFactory.getLogger(CommandLineCodec.class);
  private static final String NOT_UTF8_LOGGED = CommandLineCodec.class.getName() + ".notUtf8";

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
          LOG.info(
              "Refused a command line over {} bytes from {}",
              maxLineBytes,
              AdmissionFilter.address(session).getHostAddress());
          session.write(
              ReplyMapper.reply(500, "Command line too long (limit " + maxLineBytes + " bytes)"));
        } catch (CharacterCodingException e) {
          // Typically a name in a Windows code page ("März" as one byte for ä). Decoding it with
          // replacement characters would store a file under a name nobody sent.
          if (session.setAttributeIfAbsent(NOT_UTF8_LOGGED, Boolean.TRUE) == null) {
            // Once per session: a client in the wrong code page sends many such lines.
            LOG.info(
                "Refused a command line from {} that is not UTF-8 (not logged again for this"
                    + " session): the client must send names in UTF-8",
                AdmissionFilter.address(session).getHostAddress());
          }
          session.write(
              ReplyMapper.reply(
                  501,
                  "Command line is not valid UTF-8: send file names in UTF-8 (this server always"
                      + " uses it)"));
        }
        if (!in.hasRemaining()) {
          return;
        }
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
