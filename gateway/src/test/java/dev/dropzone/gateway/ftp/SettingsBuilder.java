package dev.dropzone.gateway.ftp;

import java.nio.file.Path;
import java.time.Duration;

/** Test settings: safe defaults, but on free ports and with short delays. */
final class SettingsBuilder {
  String bind = "127.0.0.1";
  int port;
  String passivePorts = "0";
  String passiveAddress;
  boolean activeMode = true;
  Duration idleTimeout = Duration.ofSeconds(60);
  Duration loginTimeout = Duration.ofSeconds(30);
  int maxConnections = 100;
  int maxConnectionsPerIp = 60;
  int maxLoginFailures = 1000;
  Duration banDuration = Duration.ofMinutes(15);
  Duration loginFailureDelay = Duration.ofMillis(20);
  int maxThreads = 64;
  int maxCommandLength = 4096;
  Duration shutdownGrace = Duration.ofSeconds(5);
  Duration dataConnectTimeout = Duration.ofSeconds(30);
  int maxTransfers = 64;
  Duration dataIdleTimeout = Duration.ofSeconds(60);
  int modeZMaxRatio = 100;
  Duration uploadSettleTime = Duration.ofMillis(10);
  FtpSettings.Tls tls;
  FtpSettings.LoginLimits logins =
      new FtpSettings.LoginLimits(1000, 60, 1000, 0, Duration.ofSeconds(10));

  /** The product's defaults ({@link FtpSettings#defaults()}), on free ports. */
  static SettingsBuilder productDefaults() {
    FtpSettings d = FtpSettings.defaults();
    SettingsBuilder b = new SettingsBuilder();
    b.activeMode = d.activeModeEnabled();
    b.idleTimeout = d.idleTimeout();
    b.loginTimeout = d.loginTimeout();
    b.maxConnections = d.maxConnections();
    b.maxConnectionsPerIp = d.maxConnectionsPerIp();
    b.maxLoginFailures = d.maxLoginFailures();
    b.banDuration = d.banDuration();
    b.loginFailureDelay = d.loginFailureDelay();
    b.maxThreads = d.maxThreads();
    b.maxCommandLength = d.maxCommandLength();
    b.shutdownGrace = d.shutdownGrace();
    b.maxTransfers = d.transfers().maxTransfers();
    b.dataIdleTimeout = d.transfers().dataIdleTimeout();
    b.modeZMaxRatio = d.transfers().modeZMaxRatio();
    b.uploadSettleTime = d.transfers().uploadSettleTime();
    b.logins = d.logins();
    return b;
  }

  FtpSettings build() {
    return new FtpSettings(
        bind,
        port,
        passivePorts,
        passiveAddress,
        activeMode,
        idleTimeout,
        loginTimeout,
        maxConnections,
        maxConnectionsPerIp,
        maxLoginFailures,
        banDuration,
        loginFailureDelay,
        maxThreads,
        maxCommandLength,
        shutdownGrace,
        dataConnectTimeout,
        tls,
        new FtpSettings.Transfers(maxTransfers, dataIdleTimeout, modeZMaxRatio, uploadSettleTime),
        logins);
  }

  /**
   * Required TLS with the certificate and key in PEM files, without requiring data connections to
   * resume the control connection's TLS session (Commons Net starts a new one on each).
   */
  static FtpSettings.Tls tlsWithoutSessionReuse(Path certificatePem, Path privateKeyPem) {
    return new FtpSettings.Tls(
        certificatePem, privateKeyPem, null, null, true, -1, FtpSettings.DEFAULT_PROTOCOLS, false);
  }
}
