package dev.dropzone.gateway.ftp.connection;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Keeps connections that come and go without doing anything from writing two audit lines each. A
 * client that connects and closes (or resets) in a loop is admitted every time, and its {@code
 * session_open} and {@code session_close} lines would fill the disk at thousands a second.
 *
 * <p>A session's {@link FtpEvent.SessionOpened} is held until something else happens on it (a login
 * attempt, a command the audit records): then it goes out, in its place before that event. A
 * session that closes with it still held was empty: the first empty session of a network in an
 * interval goes out whole (open and close), the rest are counted and reported as one {@link
 * FtpEvent.EmptySessionsSummarized}. Sits in front of the audit log only; the metrics see every
 * session.
 */
public final class EmptySessions implements FtpEventListener {

  private static final String REASON = "empty";

  /**
   * Empty sessions remembered at most (about 3 MiB): a flood faster than this many per {@link
   * #FOLDED_MILLIS} keeps only its newest, and a late login of an older one goes out alone.
   */
  private static final int MAX_FOLDED = 10_000;

  /**
   * How long a folded session is remembered: longer than a login can take to be answered (the wait
   * for a password check's turn, 10 s by default, the check and the failed-login delay).
   */
  private static final long FOLDED_MILLIS = Duration.ofSeconds(30).toMillis();

  /** IP address literals only: an address that is not one must never start a DNS lookup. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f.:%]+");

  private final FtpEventListener events;
  private final RefusalReports reports;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  /** Sessions counted as empty, newest last, in case an event of theirs comes after their close. */
  private final Map<String, Folded> folded =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Folded> eldest) {
          return size() > MAX_FOLDED;
        }
      };

  /**
   * @param events where the events go (the audit log)
   * @param networks what counts as one client
   * @param interval how long empty sessions after the first of a network are only counted
   */
  public EmptySessions(
      FtpEventListener events, ClientNetworks networks, Duration interval, LongSupplier clock) {
    this.events = events;
    this.clock = clock;
    this.reports =
        RefusalReports.reporting(
            networks,
            interval,
            clock,
            summary ->
                events.on(
                    new FtpEvent.EmptySessionsSummarized(
                        Instant.ofEpochMilli(clock.getAsLong()),
                        new FtpEvent.Client(null, summary.network(), null, null),
                        summary.count(),
                        summary.since())));
  }

  /** The counts of empty sessions, reported every interval and (with {@code reportAll}) at stop. */
  public RefusalReports reports() {
    return reports;
  }

  @Override
  public void on(FtpEvent event) {
    String session = event.client().session();
    if (session == null) {
      events.on(event);
    } else if (event instanceof FtpEvent.SessionOpened opened) {
      held.put(session, new Held(opened));
    } else if (event instanceof FtpEvent.SessionClosed closed) {
      Held open = held.remove(session);
      if (open == null || !open.empty(closed)) {
        events.on(event);
      }
    } else if (event instanceof FtpEvent.ConnectionRefused refused && !refused.alone()) {
      // A session shed to make room did nothing itself, and this refusal goes into a summary.
      events.on(event);
    } else {
      // Kept until the close, which must find it to go out after the open, never before.
      Held open = held.get(session);
      if (open != null && open.release()) {
        events.on(event);
        return;
      }
      Folded late = takeFolded(session);
      if (late != null) {
        // Something happened after all (a login answered after its client left): the session's
        // lines go out around it, though the summary counts it too.
        events.on(late.opened());
        events.on(event);
        events.on(late.closed(event.client()));
        return;
      }
      events.on(event);
    }
  }

  private Folded takeFolded(String session) {
    synchronized (folded) {
      Folded late = folded.remove(session);
      return late != null && clock.getAsLong() - late.at() < FOLDED_MILLIS ? late : null;
    }
  }

  /**
   * Waits up to {@code timeout} for the sessions still open to close, so that a stop's last summary
   * counts them: MINA lets a stop return before every session's close has run.
   */
  public void awaitClosed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!held.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** A session counted as empty, kept a while in case an event of it comes after its close. */
  /** Only what rebuilds the lines: a flood folds thousands a second. */
  private record Folded(FtpEvent.SessionOpened opened, Instant closedAt, Duration lasted, long at) {

    FtpEvent.SessionClosed closed(FtpEvent.Client client) {
      return new FtpEvent.SessionClosed(closedAt, client, lasted);
    }
  }

  /** A session's open event, until something else happens on the session or it closes. */
  private final class Held {

    private final FtpEvent.SessionOpened opened;

    /** Sent (something happened, or it is reported whole); counted as empty; neither yet. */
    private boolean released;

    private boolean counted;

    Held(FtpEvent.SessionOpened opened) {
      this.opened = opened;
    }

    /**
     * Sends the open event, once, and returns true; false when the session closed meanwhile and was
     * counted as empty (the caller then finds it among the folded ones). Under this lock, so a
     * close racing with the session's last event can only go out after the open it follows.
     */
    synchronized boolean release() {
      if (counted) {
        return false;
      }
      if (!released) {
        released = true;
        events.on(opened);
      }
      return true;
    }

    /**
     * Decides the fate of a session that closed: true when it was empty and went into a count;
     * false when the caller sends the close (after the open, if this session is reported whole).
     */
    synchronized boolean empty(FtpEvent.SessionClosed closed) {
      if (released) {
        return false;
      }
      InetAddress address = address(closed.client().address());
      if (address == null || reports.alone(address, REASON)) {
        release();
        return false;
      }
      counted = true;
      long now = clock.getAsLong();
      synchronized (folded) {
        // Oldest first: what is past its time goes, so a steady flood keeps only that much.
        Iterator<Folded> oldest = folded.values().iterator();
        while (oldest.hasNext() && now - oldest.next().at() >= FOLDED_MILLIS) {
          oldest.remove();
        }
        // The open's session id as the key: one string per folded session, not two.
        folded.put(
            opened.client().session(), new Folded(opened, closed.time(), closed.lasted(), now));
      }
      return true;
    }
  }

  private static InetAddress address(String literal) {
    if (literal == null || !LITERAL.matcher(literal).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
