package dev.dropzone.gateway.ftp.control;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.connection.CommandLineCodec;
import java.util.Locale;
import java.util.Set;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Tells a client that has not logged in what to do, where MINA FtpServer answers every command but
 * USER, PASS, AUTH, PBSZ, PROT and QUIT with a bare {@code 530 Access denied.}, which reads like a
 * refused password before any was sent. Also answers {@code OPTS UTF8}, which lftp and others send
 * right after their first FEAT, before login, and which MINA answers 200 even for {@code OFF}
 * although names stay UTF-8.
 *
 * <p>Also answers the lines the decoder could not make commands of ({@link
 * CommandLineCodec.RefusedLine}), which must never reach MINA.
 *
 * <p>Sits behind the {@link ControlQueue}, so a command pipelined behind PASS is judged once the
 * password check has answered, as MINA's own check would judge it, and every reply comes in the
 * order of the lines.
 */
public final class LoginFirst extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneLoginFirst";

  /** MINA's list, and FEAT, which is answered before login earlier in the chain. */
  private static final Set<String> BEFORE_LOGIN =
      Set.of("USER", "PASS", "AUTH", "PBSZ", "PROT", "QUIT", "FEAT");

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (message instanceof CommandLineCodec.RefusedLine refused) {
      // Whether logged in or not: the line was no command at all.
      session.write(ReplyMapper.reply(refused.code(), refused.text()));
      return;
    }
    String verb = ControlQueue.verb(message);
    if (verb.equals("OPTS")) {
      String option = message.toString().strip().toUpperCase(Locale.ROOT).replaceAll(" +", " ");
      if (option.equals("OPTS UTF8 ON") || option.equals("OPTS UTF8")) {
        session.write(ReplyMapper.reply(200, "Always in UTF8 mode"));
        return;
      }
      if (option.equals("OPTS UTF8 OFF")) {
        session.write(ReplyMapper.reply(504, "File names are always UTF-8 here"));
        return;
      }
    }
    if (!BEFORE_LOGIN.contains(verb) && !new FtpIoSession(session, null).isLoggedIn()) {
      session.write(ReplyMapper.reply(530, "Log in with USER and PASS first"));
      return;
    }
    next.messageReceived(session, message);
  }
}
