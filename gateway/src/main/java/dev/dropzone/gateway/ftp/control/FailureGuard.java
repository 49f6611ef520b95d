package dev.dropzone.gateway.ftp.control;

import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contains an {@link Error} (above all {@link OutOfMemoryError}) thrown while a session's event is
 * handled. MINA's ordered executor does not survive one: the worker thread dies without marking the
 * session's queue as idle, so every later event of that session (commands, even its close) waits
 * forever — the client gets no reply and the connection is never closed. Here the error is logged,
 * the client is told, and the session is closed; the executor and every other session carry on.
 *
 * <p>Sits right after MINA's executor filter, so it wraps everything that runs on a command thread.
 */
public final class FailureGuard extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneFailureGuard";

  private static final Logger LOG = LoggerFactory.getLogger(FailureGuard.class);

  @Override
  public void sessionOpened(NextFilter next, IoSession session) {
    try {
      next.sessionOpened(session);
    } catch (Error e) {
      contain(session, e);
    }
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) {
    try {
      next.sessionClosed(session);
    } catch (Error e) {
      contain(session, e);
    }
  }

  @Override
  public void sessionIdle(NextFilter next, IoSession session, IdleStatus status) {
    try {
      next.sessionIdle(session, status);
    } catch (Error e) {
      contain(session, e);
    }
  }

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) {
    try {
      next.exceptionCaught(session, cause);
    } catch (Error e) {
      contain(session, e);
    }
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) {
    try {
      next.messageReceived(session, message);
    } catch (Error e) {
      contain(session, e);
    }
  }

  @Override
  public void messageSent(NextFilter next, IoSession session, WriteRequest request) {
    try {
      next.messageSent(session, request);
    } catch (Error e) {
      contain(session, e);
    }
  }

  /**
   * Logs {@code e}, tells the client and closes its session. Never throws: under memory pressure
   * the reply may itself fail, and the session is closed regardless.
   */
  public static void contain(IoSession session, Error e) {
    try {
      if (e instanceof OutOfMemoryError) {
        LOG.error(
            "Out of memory while serving {}; closed its connection. Give the JVM more heap (-Xmx)"
                + " or lower ftp.maxTransfers and s3.partBufferBudget",
            session.getRemoteAddress());
      } else {
        LOG.error(
            "Closed the connection of {} after an internal error; this is a bug in Dropzone,"
                + " please report it with this trace",
            session.getRemoteAddress(),
            e);
      }
      session.write(new DefaultFtpReply(421, "Internal server error, closing the connection"));
    } catch (Throwable ignored) {
      // Nothing more can be said; closing below still frees the session.
    } finally {
      close(session);
    }
  }

  private static void close(IoSession session) {
    try {
      session.closeOnFlush();
    } catch (Throwable again) {
      session.closeNow();
    }
  }
}
