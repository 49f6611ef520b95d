package dev.dropzone.gateway.metrics;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The FTP server's meters, counted from its {@link FtpEvent}s. Labels take values from small fixed
 * sets only (direction, result, reason, outcome, the configured user sources), never a user name,
 * path or address. Names as Prometheus shows them:
 *
 * <ul>
 *   <li>{@code dropzone_ftp_connections_open}: admitted control connections open now
 *   <li>{@code dropzone_ftp_connections_total}: control connections admitted
 *   <li>{@code dropzone_ftp_connections_refused_total{reason}}
 *   <li>{@code dropzone_ftp_logins_total{backend,outcome}}
 *   <li>{@code dropzone_ftp_transfers_total{direction,result}}
 *   <li>{@code dropzone_ftp_transfer_bytes_total{direction}}
 *   <li>{@code dropzone_ftp_transfer_duration_seconds{direction,result}} (histogram)
 *   <li>{@code dropzone_ftp_transfer_first_byte_seconds{direction}} (histogram)
 *   <li>{@code dropzone_ftp_tree_changes_total{operation,result}}
 *   <li>{@code dropzone_ftp_commands_refused_total{reason}}
 * </ul>
 */
public final class FtpMetrics implements FtpEventListener {

  private final MeterRegistry registry;
  private final AtomicInteger open = new AtomicInteger();

  public FtpMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("dropzone.ftp.connections.open", open, AtomicInteger::get)
        .description("Admitted FTP control connections open now")
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void on(FtpEvent event) {
    if (event instanceof FtpEvent.SessionOpened) {
      open.incrementAndGet();
      counter("dropzone.ftp.connections", "FTP control connections admitted").increment();
    } else if (event instanceof FtpEvent.SessionClosed) {
      open.decrementAndGet();
    } else if (event instanceof FtpEvent.ConnectionRefused refused) {
      counter(
              "dropzone.ftp.connections.refused",
              "FTP connections refused before their greeting, or shed while waiting to log in",
              "reason",
              refused.reason())
          .increment();
    } else if (event instanceof FtpEvent.Login login) {
      counter(
              "dropzone.ftp.logins",
              "FTP login attempts by user source and outcome",
              "backend",
              String.valueOf(login.client().backend()),
              "outcome",
              login.outcome().label())
          .increment();
    } else if (event instanceof FtpEvent.LoginRevoked revoked) {
      counter(
              "dropzone.ftp.logins.revoked",
              "Logged-in FTP sessions ended because their user was removed or changed",
              "backend",
              String.valueOf(revoked.client().backend()))
          .increment();
    } else if (event instanceof FtpEvent.Transferred transferred) {
      transferred(transferred);
    } else if (event instanceof FtpEvent.Changed changed) {
      counter(
              "dropzone.ftp.tree.changes",
              "DELE, MKD, RMD and RNTO commands by result",
              "operation",
              changed.operation(),
              "result",
              changed.answer().result())
          .increment();
    } else if (event instanceof FtpEvent.Refused refused) {
      counter(
              "dropzone.ftp.commands.refused",
              "FTP commands refused by a policy (permission, path, quota, TLS)",
              "reason",
              String.valueOf(refused.answer().reason()))
          .increment();
    }
  }

  private void transferred(FtpEvent.Transferred transferred) {
    String direction = transferred.direction().label();
    String result = transferred.answer().result();
    counter(
            "dropzone.ftp.transfers",
            "FTP uploads and downloads by result, refused ones included",
            "direction",
            direction,
            "result",
            result)
        .increment();
    if (transferred.bytes() > 0) {
      Counter.builder("dropzone.ftp.transfer.bytes")
          .description("Bytes moved over FTP data connections by uploads and downloads")
          .baseUnit("bytes")
          .tag("direction", direction)
          .register(registry)
          .increment(transferred.bytes());
    }
    if (transferred.duration().isZero()) {
      // Refused before it started: no time to speak of.
      return;
    }
    Timer.builder("dropzone.ftp.transfer.duration")
        .description("Time from the start of a transfer to its final reply")
        .serviceLevelObjectives(MeterBuckets.TRANSFER)
        .tag("direction", direction)
        .tag("result", result)
        .register(registry)
        .record(transferred.duration());
    if (transferred.firstByte() != null) {
      Timer.builder("dropzone.ftp.transfer.first.byte")
          .description("Time from the start of a transfer to its first byte on the data connection")
          .serviceLevelObjectives(MeterBuckets.FIRST_BYTE)
          .tag("direction", direction)
          .register(registry)
          .record(transferred.firstByte());
    }
  }

  private Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }
}
