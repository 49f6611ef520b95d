package dev.dropzone.gateway.ftp.connection;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a flood of refused connections from becoming a flood of log lines: a client that reconnects
 * as fast as it is refused (a script, a scanner, a client library that treats 421 as a broken
 * connection) would otherwise write a diagnostic and an audit line per attempt, thousands a second,
 * until the disk is full. The first refusal of a client network for a reason in an interval is
 * reported on its own; the rest of that interval are counted and reported as one summary when it
 * ends. The metrics still count every refusal. {@link EmptySessions} folds connections that were
 * admitted but did nothing the same way, with a {@link Reporter} of its own.
 */
public final class RefusalReports {

  /** Networks tracked at once; refusals from further ones are summarized together. */
  static final int MAX_SOURCES = 10_000;

  /** Where refusals from networks beyond {@link #MAX_SOURCES} are counted. */
  static final String OTHER_NETWORKS = "other networks";

  private static final Logger LOG = LoggerFactory.getLogger(RefusalReports.class);

  private final ClientNetworks networks;
  private final long intervalMillis;
  private final LongSupplier clock;
  private final Reporter reporter;
  private final Map<Source, Burst> bursts = new HashMap<>();
  private final List<Summary> ended = new ArrayList<>();

  /**
   * @param networks what counts as one client
   * @param interval how long refusals after the first of a network and reason are only counted
   * @param clock the time in milliseconds since the epoch
   * @param events receives the summaries (the audit log)
   */
  public RefusalReports(
      ClientNetworks networks, Duration interval, LongSupplier clock, FtpEventListener events) {
    this(networks, interval, clock, refusals(interval, clock, events));
  }

  /**
   * Counts as {@link #RefusalReports(ClientNetworks, Duration, LongSupplier, FtpEventListener)},
   * but writes each summary with {@code reporter}.
   */
  public static RefusalReports reporting(
      ClientNetworks networks, Duration interval, LongSupplier clock, Reporter reporter) {
    return new RefusalReports(networks, interval, clock, reporter);
  }

  private RefusalReports(
      ClientNetworks networks, Duration interval, LongSupplier clock, Reporter reporter) {
    this.networks = networks;
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
    this.reporter = reporter;
  }

  /** Writes the summary of an interval's counted events. */
  @FunctionalInterface
  public interface Reporter {
    void report(Summary summary);
  }

  /** Reports the intervals that ended, every interval, on {@code timers}. */
  public void start(ScheduledExecutorService timers) {
    timers.scheduleWithFixedDelay(
        this::reportEnded, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Counts a refusal of {@code address}.
   *
   * @return true when it is to be reported on its own; false when it goes into a summary
   */
  public synchronized boolean alone(InetAddress address, String reason) {
    long now = clock.getAsLong();
    Source source = source(address, reason);
    Burst burst = bursts.get(source);
    if (burst != null && now - burst.start >= intervalMillis) {
      endBurst(source, burst);
      burst = null;
    }
    if (burst == null) {
      bursts.put(source, new Burst(now));
      return true;
    }
    burst.count++;
    burst.lastAddress = address;
    return false;
  }

  /**
   * Writes a summary of each interval that ended with refusals not yet reported. Never throws: an
   * exception would end the periodic task, and every later summary with it.
   */
  void reportEnded() {
    try {
      report(takeEnded());
    } catch (RuntimeException e) {
      LOG.error(
          "Could not write the summaries of refused connections (the metrics still count them);"
              + " this is a bug in Dropzone, please report it with this trace",
          e);
    }
  }

  /** Writes a summary of every refusal not yet reported, ended interval or not (at shutdown). */
  public void reportAll() {
    try {
      report(take(true));
    } catch (RuntimeException e) {
      LOG.error(
          "Could not write the last summaries of refused or empty connections (the metrics still"
              + " count them); this is a bug in Dropzone, please report it with this trace",
          e);
    }
  }

  private void report(List<Summary> summaries) {
    for (Summary summary : summaries) {
      reporter.report(summary);
    }
  }

  private static Reporter refusals(Duration interval, LongSupplier clock, FtpEventListener events) {
    return summary -> {
      LOG.warn(
          "Refused {} more connection(s) from {} since {}, {}; after the first, refusals of one"
              + " network for one reason are logged once per {} s (the"
              + " dropzone_ftp_connections_refused_total metric counts each). A client reconnecting"
              + " this fast is misconfigured or attacking: if it is not yours, block it in front of"
              + " the gateway",
          summary.count,
          summary.network,
          summary.since,
          summary.reason.replace('_', ' '),
          interval.toSeconds());
      events.on(
          new FtpEvent.RefusalsSummarized(
              Instant.ofEpochMilli(clock.getAsLong()),
              new FtpEvent.Client(null, summary.network, null, null),
              summary.reason,
              summary.count,
              summary.since));
    };
  }

  /** The summaries of the intervals that ended since the last call, which forgets them. */
  List<Summary> takeEnded() {
    return take(false);
  }

  private synchronized List<Summary> take(boolean all) {
    long now = clock.getAsLong();
    for (Iterator<Map.Entry<Source, Burst>> it = bursts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Source, Burst> entry = it.next();
      if (all || now - entry.getValue().start >= intervalMillis) {
        it.remove();
        summarize(entry.getKey(), entry.getValue());
      }
    }
    List<Summary> taken = List.copyOf(ended);
    ended.clear();
    return taken;
  }

  private void endBurst(Source source, Burst burst) {
    bursts.remove(source);
    summarize(source, burst);
  }

  private void summarize(Source source, Burst burst) {
    if (burst.count > 0) {
      String network = source.network == null ? OTHER_NETWORKS : networks.name(burst.lastAddress);
      ended.add(
          new Summary(network, source.reason, burst.count, Instant.ofEpochMilli(burst.start)));
    }
  }

  private Source source(InetAddress address, String reason) {
    Source source = new Source(networks.of(address), reason);
    if (bursts.containsKey(source) || bursts.size() < MAX_SOURCES) {
      return source;
    }
    return new Source(null, reason);
  }

  /** Refusals of one network (null: all networks beyond the limit) for one reason. */
  private record Source(InetAddress network, String reason) {}

  /** Refusals counted but not yet reported, of an interval that began at {@code since}. */
  public record Summary(String network, String reason, long count, Instant since) {}

  private static final class Burst {
    final long start;
    long count;
    InetAddress lastAddress;

    Burst(long start) {
      this.start = start;
    }
  }
}
