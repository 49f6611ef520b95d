package dev.dropzone.gateway.ftp.events;

import dev.dropzone.gateway.ftp.login.AccountUser;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.mina.core.session.IoSession;

/**
 * The event seam of each control connection: the listener rides on the session, so commands,
 * filters, transfers and logins fire events from wherever they run with nothing but the session in
 * hand.
 */
public final class SessionEvents {

  private static final String LISTENER = "dropzone.events";

  private SessionEvents() {}

  /** Makes {@code listener} receive the events of {@code session}. */
  public static void attach(IoSession session, FtpEventListener listener) {
    session.setAttribute(LISTENER, listener);
  }

  /** Hands {@code event} to the session's listener; does nothing when it has none. */
  public static void fire(IoSession session, FtpEvent event) {
    if (session.getAttribute(LISTENER) instanceof FtpEventListener listener) {
      listener.on(event);
    }
  }

  /** Whether anyone listens on {@code session} (saves building events nobody reads). */
  public static boolean observed(IoSession session) {
    return session.containsAttribute(LISTENER);
  }

  /** The connection and its logged-in user (or the name USER gave), as events name them. */
  public static FtpEvent.Client client(IoSession session) {
    FtpIoSession ftp = ftp(session);
    User user = ftp.getUser();
    if (user instanceof AccountUser account) {
      return client(ftp, account.getName(), account.account().backend());
    }
    return client(ftp, user == null ? ftp.getUserArgument() : user.getName(), null);
  }

  /** The connection, with {@code user} from source {@code backend} (a login attempt's). */
  public static FtpEvent.Client client(IoSession session, String user, String backend) {
    return new FtpEvent.Client(
        ftp(session).getSessionId().toString(), address(session.getRemoteAddress()), user, backend);
  }

  /** {@link #fire(IoSession, FtpEvent)} for an ftplet, which sees the ftplet session only. */
  public static void fire(FtpSession session, FtpEvent event) {
    if (session.getAttribute(LISTENER) instanceof FtpEventListener listener) {
      listener.on(event);
    }
  }

  /** {@link #client(IoSession)} for an ftplet. */
  public static FtpEvent.Client client(FtpSession session) {
    User user = session.getUser();
    return new FtpEvent.Client(
        session.getSessionId().toString(),
        address(session.getClientAddress()),
        user == null ? null : user.getName(),
        user instanceof AccountUser account ? account.account().backend() : null);
  }

  private static FtpIoSession ftp(IoSession session) {
    // FtpIoSession keeps its state in the wrapped session's attributes: a wrapper reads it all.
    return session instanceof FtpIoSession wrapped ? wrapped : new FtpIoSession(session, null);
  }

  private static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }
}
