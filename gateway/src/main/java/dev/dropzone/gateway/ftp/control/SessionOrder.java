package dev.dropzone.gateway.ftp.control;

import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.mina.core.session.IoEvent;
import org.apache.mina.core.session.IoEventType;
import org.apache.mina.core.session.IoSession;

/**
 * Runs work in a control session's own event order: MINA's ordered executor runs a session's events
 * one after another, so work queued here runs after every command already received and before any
 * received later, never beside one.
 */
public final class SessionOrder {

  private final Supplier<Executor> ordered;

  /**
   * @param ordered the executor MINA's listener hands session events to (an {@code
   *     OrderedThreadPoolExecutor}, which orders tasks by their event's session); MINA makes it
   *     when the server starts
   */
  public SessionOrder(Supplier<Executor> ordered) {
    this.ordered = ordered;
  }

  /** Queues {@code work} behind the session's pending events. */
  public void run(IoSession session, Runnable work) {
    ordered
        .get()
        .execute(
            new IoEvent(IoEventType.MESSAGE_RECEIVED, session, null) {
              @Override
              public void fire() {
                work.run();
              }
            });
  }
}
