package dev.dropzone.gateway.ftp.control;

import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Keeps each command line as the client sent it. MINA FtpServer trims the line before it splits off
 * the argument, which cuts the trailing spaces off a file name: {@code STOR "a "} overwrote {@code
 * a}, and a mirroring client uploaded such a file again on every run, never finding it.
 *
 * <p>Sits behind the {@link ControlQueue}, so the line it keeps is that of the command about to
 * run, on that command's thread: a command reads its argument before it returns or hands work to a
 * transfer thread.
 */
public final class RequestLines extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneRequestLines";

  private static final String LINE = "dropzone.requestLine";

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    // A password is no file name, and it stays nowhere longer than its own request.
    if ("PASS".equals(ControlQueue.verb(message))) {
      session.removeAttribute(LINE);
    } else {
      session.setAttribute(LINE, message.toString());
    }
    next.messageReceived(session, message);
  }

  /**
   * The argument of {@code request} with the trailing spaces the parser cut off, or null when it
   * has none. Other trailing white space (a tab, a stray CR) is not part of a name and stays cut.
   */
  public static String argument(IoSession session, FtpRequest request) {
    return argument(session.getAttribute(LINE), request);
  }

  /** {@link #argument(IoSession, FtpRequest)} for an ftplet, which sees the ftplet session only. */
  public static String argument(FtpSession session, FtpRequest request) {
    return argument(session.getAttribute(LINE), request);
  }

  /**
   * The request line with the trailing spaces of its argument, for log lines: a refusal of {@code
   * STOR "a "} must not read as one of {@code STOR a}.
   */
  public static String line(IoSession session, FtpRequest request) {
    String argument = argument(session, request);
    String line = request.getRequestLine();
    return argument == null ? line : line + argument.substring(request.getArgument().length());
  }

  private static String argument(Object kept, FtpRequest request) {
    String argument = request.getArgument();
    if (argument == null || !(kept instanceof String line)) {
      return argument;
    }
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) <= ' ') {
      end--;
    }
    String cut = line.substring(end);
    boolean spaces = !cut.isEmpty() && cut.chars().allMatch(c -> c == ' ');
    // The kept line belongs to this request only if it parses to the same line.
    return spaces && line.trim().equals(request.getRequestLine()) ? argument + cut : argument;
  }
}
