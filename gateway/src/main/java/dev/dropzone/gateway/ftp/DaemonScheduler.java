package dev.dropzone.gateway.ftp;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A one-thread scheduler for the FTP layer's background work. Its thread is a daemon, so a gateway
 * that is not closed does not keep the JVM alive, and a cancelled task leaves its queue at once
 * rather than when its time would have come (most timers are cancelled early).
 */
public final class DaemonScheduler {

  private DaemonScheduler() {}

  /** A scheduler whose one thread is named {@code name}. */
  public static ScheduledThreadPoolExecutor named(String name) {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, name);
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }
}
