package dev.dropzone.gateway.ftp;

import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the FTP listener needs, already validated by the configuration layer. Defaults are the
 * safe ones from DESIGN §5 ({@link #defaults()}).
 *
 * @param bind address to listen on
 * @param port control port (0 = pick a free port; read it back from the running gateway)
 * @param passivePorts MINA passive port spec, e.g. {@code 50000-50100}, or {@code 0} for any
 * @param passiveAddress address announced in PASV replies (public address behind NAT); null = the
 *     bind address
 * @param activeModeEnabled allow PORT/EPRT (always restricted to the control peer, ports ≥ 1024)
 * @param idleTimeout idle control connection timeout
 * @param loginTimeout time allowed between connect and successful login
 * @param maxConnections total concurrent control connections
 * @param maxConnectionsPerIp concurrent control connections from one address
 * @param maxLoginFailures failed logins from one address before it is banned
 * @param banDuration how long such an address is refused
 * @param loginFailureDelay delay before answering a failed login
 * @param maxThreads command threads; transfers run on their own ({@link Transfers#maxTransfers})
 * @param maxCommandLength longest accepted command line in bytes
 * @param shutdownGrace how long running transfers may continue after a stop request
 * @param dataConnectTimeout how long a passive port waits for the client's data connection (then it
 *     closes), and how long an active (PORT/EPRT) connection may take to connect
 * @param tls TLS settings, or null for plain FTP only
 * @param transfers how transfers run and end
 * @param logins limits on connections that have not logged in and on password checks
 */
public record FtpSettings(
    String bind,
    int port,
    String passivePorts,
    String passiveAddress,
    boolean activeModeEnabled,
    Duration idleTimeout,
    Duration loginTimeout,
    int maxConnections,
    int maxConnectionsPerIp,
    int maxLoginFailures,
    Duration banDuration,
    Duration loginFailureDelay,
    int maxThreads,
    int maxCommandLength,
    Duration shutdownGrace,
    Duration dataConnectTimeout,
    Tls tls,
    Transfers transfers,
    LoginLimits logins) {

  public FtpSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(passivePorts, "passivePorts");
    Objects.requireNonNull(transfers, "transfers");
    Objects.requireNonNull(logins, "logins");
  }

  /** Settings with the default {@link LoginLimits}. */
  public FtpSettings(
      String bind,
      int port,
      String passivePorts,
      String passiveAddress,
      boolean activeModeEnabled,
      Duration idleTimeout,
      Duration loginTimeout,
      int maxConnections,
      int maxConnectionsPerIp,
      int maxLoginFailures,
      Duration banDuration,
      Duration loginFailureDelay,
      int maxThreads,
      int maxCommandLength,
      Duration shutdownGrace,
      Duration dataConnectTimeout,
      Tls tls,
      Transfers transfers) {
    this(
        bind,
        port,
        passivePorts,
        passiveAddress,
        activeModeEnabled,
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
        transfers,
        LoginLimits.defaults());
  }

  /**
   * Limits before login, and on checking passwords.
   *
   * @param maxPreLoginConnections connections not logged in yet, in total; a new one beyond it
   *     takes the place of the one idle longest
   * @param maxPreLoginConnectionsPerIp connections not logged in yet from one address
   * @param maxLoginFailuresPerUser failed logins for one user name (from any address) before that
   *     name pauses
   * @param maxConcurrentChecks password checks at once; 0 = derived from the heap
   * @param checkQueueTimeout how long a login may wait for its password check
   * @param networks what the per-address limits, bans and password-check turns count as one client
   *     (IPv6: a network)
   * @param maxNewConnectionsPerIpPerMinute new connections one address may open per minute (a
   *     minute's worth at once, then evenly); 0 for no limit
   * @param refusedCommands how many refused commands a client network may get before its refused
   *     sessions' commands wait their turn ({@link RefusalPace})
   */
  public record LoginLimits(
      int maxPreLoginConnections,
      int maxPreLoginConnectionsPerIp,
      int maxLoginFailuresPerUser,
      int maxConcurrentChecks,
      Duration checkQueueTimeout,
      ClientNetworks networks,
      int maxNewConnectionsPerIpPerMinute,
      RefusalPace.Pace refusedCommands) {

    public LoginLimits {
      Objects.requireNonNull(networks, "networks");
      Objects.requireNonNull(refusedCommands, "refusedCommands");
    }

    /** Limits that count IPv6 clients per {@link ClientNetworks#DEFAULT} network, no rate. */
    public LoginLimits(
        int maxPreLoginConnections,
        int maxPreLoginConnectionsPerIp,
        int maxLoginFailuresPerUser,
        int maxConcurrentChecks,
        Duration checkQueueTimeout) {
      this(
          maxPreLoginConnections,
          maxPreLoginConnectionsPerIp,
          maxLoginFailuresPerUser,
          maxConcurrentChecks,
          checkQueueTimeout,
          ClientNetworks.DEFAULT,
          0,
          RefusalPace.Pace.DEFAULT);
    }

    public static LoginLimits defaults() {
      return new LoginLimits(256, 16, 10, 0, Duration.ofSeconds(10));
    }
  }

  /**
   * How transfers (uploads, downloads, listings) run and end.
   *
   * @param maxTransfers transfers at once; beyond it a new one is refused with 450
   * @param dataIdleTimeout a transfer whose data moves no byte for this long is cut off with 426
   * @param modeZMaxRatio most plaintext bytes per compressed byte a MODE Z upload may inflate to
   * @param uploadSettleTime how long after an upload's data ended its control connection must still
   *     be open for the file to be stored (a dying client closes both at once)
   */
  public record Transfers(
      int maxTransfers, Duration dataIdleTimeout, int modeZMaxRatio, Duration uploadSettleTime) {

    /** 64 transfers, 60 s data idle timeout, MODE Z inflating at most 100:1, 10 ms to settle. */
    public static Transfers defaults() {
      return new Transfers(64, Duration.ofSeconds(60), 100, Duration.ofMillis(10));
    }
  }

  /**
   * TLS for FTPS.
   *
   * @param certificatePem PEM certificate chain (with {@code privateKeyPem}), or null
   * @param privateKeyPem PEM private key (PKCS#8), or null
   * @param keystore PKCS12 keystore instead of PEM files, or null
   * @param keystorePassword keystore password (never logged)
   * @param required refuse USER/PASS before AUTH TLS and data transfers without PROT P
   * @param implicitPort port for implicit FTPS, or -1 for none (0 = any free port)
   * @param protocols TLS versions to offer, from {@code TLSv1.3} and {@code TLSv1.2}
   * @param requireSessionReuse protected data connections must resume the control connection's TLS
   *     session
   */
  public record Tls(
      Path certificatePem,
      Path privateKeyPem,
      Path keystore,
      char[] keystorePassword,
      boolean required,
      int implicitPort,
      List<String> protocols,
      boolean requireSessionReuse) {

    /** PEM files, TLS 1.3 and 1.2, session reuse required. */
    public static Tls pem(Path certificate, Path privateKey, boolean required, int implicitPort) {
      return new Tls(
          certificate, privateKey, null, null, required, implicitPort, DEFAULT_PROTOCOLS, true);
    }
  }

  /** The TLS versions offered unless {@code ftp.tls.protocols} says otherwise. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Safe defaults on 127.0.0.1:2121 with passive ports 50000-50100 and no TLS. */
  public static FtpSettings defaults() {
    return new FtpSettings(
        "127.0.0.1",
        2121,
        "50000-50100",
        null,
        true,
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        200,
        32,
        5,
        Duration.ofMinutes(15),
        Duration.ofSeconds(1),
        64,
        4096,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        null,
        Transfers.defaults());
  }
}
