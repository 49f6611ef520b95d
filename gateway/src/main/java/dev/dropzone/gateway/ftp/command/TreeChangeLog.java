package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.fs.StoreFile;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.StoreException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a command that changes a user's tree (DELE, RNTO, MKD, RMD, STOR, APPE, STOU) so that each
 * run leaves one INFO line on the {@code dev.dropzone.gateway.changes} logger, whatever its
 * outcome: who, from which address, what, on which path, and the reply the client got, e.g.
 *
 * <pre>
 * user=alice address=192.0.2.7 command=RNTO path="/in/a.csv" to="/done/a.csv" result="250 Renamed /in/a.csv to /done/a.csv"
 * </pre>
 *
 * Everything that came from the client is escaped, so no input can forge or split a line.
 */
final class TreeChangeLog implements Command {

  private static final Logger LOG = LoggerFactory.getLogger("dev.dropzone.gateway.changes");

  /** Session attribute: the line of the command running now, until it is logged or claimed. */
  private static final String PENDING = TreeChangeLog.class.getName() + ".pending";

  private final Command command;

  private TreeChangeLog(Command command) {
    this.command = command;
  }

  static Command logged(Command command) {
    return new TreeChangeLog(command);
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    // Read before the command runs: RNTO clears the rename source, RMD may move the cwd.
    String path = path(session, request);
    String from =
        session.getRenameFrom() instanceof StoreFile source ? source.path().toString() : null;
    Line line = reply -> log(session, request, path, from, reply);
    session.setAttribute(PENDING, line);
    try {
      command.execute(session, context, request);
    } finally {
      // Unless a transfer claimed the line (it logs once it has answered), the command answered,
      // and nothing else has answered on this session since: commands run one at a time.
      if (session.removeAttribute(PENDING) == line) {
        line.answered(session.getLastReply());
      }
    }
  }

  /** A change-log line waiting for the reply that ends its command. */
  @FunctionalInterface
  interface Line {
    void answered(FtpReply reply);
  }

  /**
   * Takes over the change-log line of the command running on {@code session}, for a transfer that
   * answers the client from another thread: pass it the transfer's final reply once sent (not the
   * session's last reply, which may be STAT's, sent beside the transfer). Does nothing for commands
   * that change nothing.
   */
  static Line claim(FtpIoSession session) {
    return session.removeAttribute(PENDING) instanceof Line line ? line : reply -> {};
  }

  /** Gives a claimed line back when the transfer did not start after all (its refusal answers). */
  static void unclaim(FtpIoSession session, Line line) {
    session.setAttribute(PENDING, line);
  }

  private static void log(
      FtpIoSession session, FtpRequest request, String path, String from, FtpReply reply) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    String command = request.getCommand();
    StringBuilder line = new StringBuilder(160);
    line.append("user=").append(escape(user(session)));
    line.append(" address=").append(address(session.getRemoteAddress()));
    line.append(" command=").append(escape(command));
    if ("RNTO".equals(command)) {
      line.append(" path=").append(quoted(from == null ? "(no RNFR)" : from));
      line.append(" to=").append(quoted(path));
    } else {
      line.append(" path=").append(quoted(path));
    }
    line.append(" result=")
        .append(quoted(reply == null ? "no reply" : reply.getCode() + " " + reply.getMessage()));
    LOG.info("{}", line);
  }

  /** The path the command names, resolved against the working directory when it is valid. */
  private static String path(FtpIoSession session, FtpRequest request) {
    String argument = request.getArgument();
    if (!(session.getFileSystemView() instanceof StoreView view)) {
      return argument == null ? "" : argument;
    }
    if (argument == null || argument.isEmpty()) {
      return view.cwd().toString();
    }
    try {
      return view.resolve(argument).toString();
    } catch (StoreException e) {
      return argument;
    }
  }

  private static String user(FtpIoSession session) {
    return session.getUser() == null ? "-" : session.getUser().getName();
  }

  private static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return escape(String.valueOf(address));
  }

  private static String quoted(String text) {
    return '"' + escape(text) + '"';
  }

  /**
   * Control characters (C0, DEL, C1, Unicode line and paragraph separators), backslashes and quotes
   * as escape sequences, so a value stays inside its quotes on one line.
   */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '"') {
        out.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
