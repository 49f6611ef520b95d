package dev.dropzone.gateway.ftp;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.LoginRevocation;
import dev.dropzone.gateway.ftp.command.DropzoneCommands;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.ftp.connection.CommandLineCodec;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard;
import dev.dropzone.gateway.ftp.connection.ConnectionRate;
import dev.dropzone.gateway.ftp.connection.EmptySessions;
import dev.dropzone.gateway.ftp.connection.RefusalReports;
import dev.dropzone.gateway.ftp.connection.SessionAdmission;
import dev.dropzone.gateway.ftp.control.ClientPresence;
import dev.dropzone.gateway.ftp.control.ControlChain;
import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import dev.dropzone.gateway.ftp.control.SessionOrder;
import dev.dropzone.gateway.ftp.data.DataConnections;
import dev.dropzone.gateway.ftp.data.PassivePorts;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import dev.dropzone.gateway.ftp.events.TreeChangeLog;
import dev.dropzone.gateway.ftp.fs.StoreFileSystemFactory;
import dev.dropzone.gateway.ftp.login.AccountUserManager;
import dev.dropzone.gateway.ftp.login.LoginCommand;
import dev.dropzone.gateway.ftp.login.LoginThrottle;
import dev.dropzone.gateway.ftp.login.Logins;
import dev.dropzone.gateway.ftp.login.PasswordChecks;
import dev.dropzone.gateway.ftp.login.ReinitializeCommand;
import dev.dropzone.gateway.ftp.login.RevokedLogins;
import dev.dropzone.gateway.ftp.login.UserCommand;
import dev.dropzone.gateway.ftp.login.UserSessions;
import dev.dropzone.gateway.ftp.policy.TlsPolicy;
import dev.dropzone.gateway.ftp.tls.AuthCommand;
import dev.dropzone.gateway.ftp.tls.TlsConfiguration;
import dev.dropzone.gateway.ftp.tls.TlsDataProtection;
import dev.dropzone.gateway.ftp.transfer.DataLink;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.gateway.metrics.FtpMetrics;
import dev.dropzone.gateway.scan.UploadScanning;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.EncryptedStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerConfigurationException;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.command.CommandFactory;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.ipfilter.SessionFilter;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running FTP/FTPS server: MINA FtpServer wired onto the encrypted store. */
public final class FtpGateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FtpGateway.class);
  private static final String EXPLICIT = "default";
  private static final String IMPLICIT = "implicit";

  /** How long aborted transfers get to clean up (abort their uploads) after being cut off. */
  private static final Duration ABORT_CLEANUP = Duration.ofSeconds(10);

  /** After the first refusal of a network for a reason, the rest are logged once this often. */
  private static final Duration REFUSAL_REPORT_INTERVAL = Duration.ofMinutes(1);

  private final FtpSettings settings;
  private final FtpServer server;
  private final Map<String, Listener> listeners;
  private final TransferRegistry transfers;
  private final ConnectionGuard guard;
  private final PasswordChecks checks;
  private final ScheduledExecutorService timers;

  /** Ends sessions whose user was removed or changed; null when the user source cannot tell. */
  private final RevokedLogins revocations;

  private final DataConnections data;

  private final RefusalReports refusals;
  private final EmptySessions audited;

  // Volatile: readiness probes read it while close() holds the lock for the shutdown grace.
  private volatile boolean closed;

  private FtpGateway(
      FtpSettings settings,
      FtpServer server,
      Map<String, Listener> listeners,
      TransferRegistry transfers,
      ConnectionGuard guard,
      PasswordChecks checks,
      ScheduledExecutorService timers,
      DataConnections data,
      RefusalReports refusals,
      EmptySessions audited,
      RevokedLogins revocations) {
    this.settings = settings;
    this.server = server;
    this.listeners = listeners;
    this.transfers = transfers;
    this.guard = guard;
    this.checks = checks;
    this.timers = timers;
    this.revocations = revocations;
    this.data = data;
    this.refusals = refusals;
    this.audited = audited;
  }

  private void awaitSessionsClosed() {
    try {
      audited.awaitClosed(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The thread for login timeouts, data-connection timeouts and transfer watchdogs. Nearly all of
   * them are cancelled early (a client logs in, connects, or closes); a cancelled task would
   * otherwise stay queued until its time came, so a client that connects and resets a thousand
   * times a second would keep 30,000 login timers (ftp.loginTimeout) in the heap at any moment.
   */
  static ScheduledThreadPoolExecutor timers() {
    return DaemonScheduler.named("dropzone-ftp-timers");
  }

  /** Starts listening without upload scanning; see the other {@code start}. */
  public static FtpGateway start(
      FtpSettings settings, EncryptedStore store, DataKeys keys, Authenticator authenticator)
      throws IOException {
    return start(settings, store, keys, authenticator, UploadScanning.OFF);
  }

  /**
   * Starts listening with the change log as the only reader of events, and meters in a registry of
   * their own that nothing exposes (for embedding and benchmarks); see the other.
   */
  public static FtpGateway start(
      FtpSettings settings,
      EncryptedStore store,
      DataKeys keys,
      Authenticator authenticator,
      UploadScanning scanning)
      throws IOException {
    return start(
        settings, store, keys, authenticator, scanning, event -> {}, new SimpleMeterRegistry());
  }

  /**
   * Starts listening; returns once the control (and implicit FTPS) ports are bound.
   *
   * @param scanning whose uploads are scanned and how; the caller closes it after the gateway
   * @param events receives every {@link dev.dropzone.gateway.ftp.events.FtpEvent} (the audit log),
   *     besides the change log and the meters
   * @param meters where the FTP meters ({@link FtpMetrics}) and the password-check meters go
   */
  public static FtpGateway start(
      FtpSettings settings,
      EncryptedStore store,
      DataKeys keys,
      Authenticator authenticator,
      UploadScanning scanning,
      FtpEventListener events,
      MeterRegistry meters)
      throws IOException {
    requireResolvable(settings.passiveAddress());
    FtpSettings.LoginLimits logins = settings.logins();
    EmptySessions audited =
        new EmptySessions(
            events, logins.networks(), REFUSAL_REPORT_INTERVAL, System::currentTimeMillis);
    FtpEventListener listener =
        FtpEventListener.all(List.of(new TreeChangeLog(), new FtpMetrics(meters), audited));
    TlsConfiguration tls = settings.tls() == null ? null : TlsConfiguration.load(settings.tls());
    ScheduledExecutorService timers = timers();
    ConnectionGuard guard =
        new ConnectionGuard(
            new ConnectionGuard.Limits(
                settings.maxConnections(),
                settings.maxConnectionsPerIp(),
                logins.maxPreLoginConnections(),
                logins.maxPreLoginConnectionsPerIp(),
                logins.networks()));
    LoginThrottle throttle =
        new LoginThrottle(
            new LoginThrottle.Settings(
                settings.maxLoginFailures(),
                logins.maxLoginFailuresPerUser(),
                settings.banDuration(),
                logins.networks()),
            Ticker.systemTicker());
    PasswordChecks checks = passwordChecks(logins, meters);
    RefusalReports refusalReports =
        new RefusalReports(
            logins.networks(), REFUSAL_REPORT_INTERVAL, System::currentTimeMillis, listener);
    refusalReports.start(timers);
    audited.reports().start(timers);
    SessionAdmission admission =
        new SessionAdmission(
            new AdmissionFilter(
                guard,
                throttle::banned,
                new ConnectionRate(
                    logins.maxNewConnectionsPerIpPerMinute(),
                    logins.networks(),
                    Ticker.systemTicker()),
                timers,
                settings.loginTimeout(),
                refusalReports),
            new CommandLineCodec(settings.maxCommandLength()));
    DataLink.requireSupported();
    FtpSettings.Transfers limits = settings.transfers();
    TransferRegistry transfers =
        new TransferRegistry(limits.maxTransfers(), limits.dataIdleTimeout(), timers);
    DataConnections data =
        new DataConnections(
            PassivePorts.parse(settings.passivePorts()),
            settings.dataConnectTimeout(),
            timers,
            tls == null ? null : new TlsDataProtection(tls));

    FtpServerFactory factory = new FtpServerFactory();
    factory.setUserManager(new AccountUserManager());
    factory.setFileSystem(new StoreFileSystemFactory(store, keys, scanning));
    factory.setConnectionConfig(connectionConfig(settings));
    AtomicReference<FtpServerContext> context = new AtomicReference<>();
    // The command threads, which run each session's events in order; transfers do not use them.
    SessionOrder order = new SessionOrder(() -> context.get().getThreadPoolExecutor());
    CommandFactoryFactory commands = new CommandFactoryFactory();
    UserSessions sessions = new UserSessions();
    // Null for user sources that cannot take a login back.
    RevokedLogins revocations =
        authenticator instanceof LoginRevocation revocation
            ? new RevokedLogins(sessions, revocation)
            : null;
    DropzoneCommands.install(
        commands,
        new DropzoneCommands.Wiring(
            new LoginCommand(
                new Logins(
                    authenticator,
                    throttle,
                    checks,
                    guard,
                    sessions,
                    timers,
                    settings.loginFailureDelay(),
                    seconds(settings.idleTimeout()))),
            transfers,
            new ClientPresence(order),
            limits,
            tls != null,
            settings.activeModeEnabled()));
    commands.addCommand("USER", new UserCommand());
    commands.addCommand("REIN", new ReinitializeCommand(sessions));
    DataConnections.installCommands(commands, settings.activeModeEnabled());
    commands.addCommand("AUTH", new AuthCommand(tls));
    CommandFactory commandFactory = commands.createCommandFactory();
    factory.setCommandFactory(commandFactory);
    Map<String, Ftplet> ftplets = new LinkedHashMap<>();
    if (tls != null && settings.tls().required()) {
      ftplets.put("tls", new TlsPolicy());
    }
    factory.setFtplets(ftplets);

    FeaturesBeforeLogin features =
        new FeaturesBeforeLogin(commandFactory.getCommand("FEAT"), context::get);
    ControlQueue queue = new ControlQueue(order);
    RefusalPace pace =
        new RefusalPace(
            logins.refusedCommands(), logins.networks(), timers, order, Ticker.systemTicker());
    factory.addListener(
        EXPLICIT,
        listener(
            settings,
            tls,
            settings.port(),
            new ControlChain(
                new SessionSetup(admission, data, null, features, context::get, listener),
                queue,
                pace)));
    if (tls != null && settings.tls().implicitPort() >= 0) {
      factory.addListener(
          IMPLICIT,
          listener(
              settings,
              tls,
              settings.tls().implicitPort(),
              new ControlChain(
                  new SessionSetup(admission, data, tls, features, context::get, listener),
                  queue,
                  pace)));
    }
    FtpServer server = factory.createServer();
    context.set(((DefaultFtpServer) server).getServerContext());
    try {
      server.start();
    } catch (FtpException | FtpServerConfigurationException e) {
      transfers.close();
      timers.shutdownNow();
      checks.close();
      if (revocations != null) {
        revocations.close();
      }
      server.stop();
      throw new IOException(
          "FTP server could not start on "
              + settings.bind()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage()
              + " (is the port in use or the address not local?)",
          e);
    }
    // Once the server runs: a failed start must not leave the checks behind.
    if (revocations != null) {
      revocations.start();
    }
    FtpGateway gateway =
        new FtpGateway(
            settings,
            server,
            factory.getListeners(),
            transfers,
            guard,
            checks,
            timers,
            data,
            refusalReports,
            audited,
            revocations);
    LOG.info(
        "FTP listening on {}:{}{}",
        settings.bind(),
        gateway.port(),
        gateway.implicitTlsPort() >= 0
            ? ", implicit FTPS on " + gateway.implicitTlsPort()
            : tls != null ? " (explicit FTPS available)" : "");
    return gateway;
  }

  private static PasswordChecks passwordChecks(
      FtpSettings.LoginLimits limits, MeterRegistry meters) {
    int concurrency = limits.maxConcurrentChecks();
    if (concurrency == 0) {
      long heap = Runtime.getRuntime().maxMemory();
      int processors = Runtime.getRuntime().availableProcessors();
      concurrency = PasswordChecks.defaultConcurrency(heap, processors);
      LOG.info(
          "Password checks: at most {} at once (auth.maxConcurrentChecks, derived from a {} MiB heap"
              + " and {} processors)",
          concurrency,
          heap >> 20,
          processors);
    } else {
      LOG.info("Password checks: at most {} at once (auth.maxConcurrentChecks)", concurrency);
    }
    return new PasswordChecks(concurrency, limits.checkQueueTimeout(), meters);
  }

  private static org.apache.ftpserver.ConnectionConfig connectionConfig(FtpSettings settings) {
    ConnectionConfigFactory config = new ConnectionConfigFactory();
    config.setAnonymousLoginEnabled(false);
    config.setMaxAnonymousLogins(0);
    // Unlimited here: ConnectionGuard enforces ftp.maxConnections at connect and at PASS, with a
    // reply that names the limit (FtpServer's own check refused USER with a bare "Maximum login
    // limit has been reached.").
    config.setMaxLogins(0);
    config.setMaxThreads(settings.maxThreads());
    // Failed logins are throttled and counted by Dropzone's PASS (per address, not per session).
    config.setLoginFailureDelay(0);
    config.setMaxLoginFailures(0);
    return config.createConnectionConfig();
  }

  /**
   * A listener. Its data connection configuration only carries what Dropzone's own data connections
   * read from it (idle time, the announced passive address); TLS, implicit or explicit, is started
   * by {@link SessionSetup} and {@link AuthCommand}, MINA only needs to know it is configured (for
   * PROT P).
   */
  private static Listener listener(
      FtpSettings settings, TlsConfiguration tls, int port, SessionFilter setup) {
    DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
    if (settings.passiveAddress() != null) {
      data.setPassiveExternalAddress(settings.passiveAddress());
    }
    data.setActiveEnabled(settings.activeModeEnabled());
    data.setIdleTime(seconds(settings.idleTimeout()));
    data.setSslConfiguration(tls);
    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress(settings.bind());
    listener.setPort(port);
    listener.setIdleTimeout(seconds(settings.idleTimeout()));
    listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
    listener.setSessionFilter(setup);
    listener.setSslConfiguration(tls);
    return listener.createListener();
  }

  /**
   * Fails the start on a passive address that does not resolve now, with the setting's name (MINA
   * would refuse it with a bare "Unknown host"). A name is looked up again at each PASV, where one
   * that stopped resolving is a 425 and a warning.
   */
  private static void requireResolvable(String passiveAddress) throws IOException {
    if (passiveAddress == null) {
      return;
    }
    try {
      InetAddress.getByName(passiveAddress);
    } catch (UnknownHostException e) {
      throw new IOException(
          "ftp.passiveAddress '"
              + passiveAddress
              + "' does not resolve; set it to this server's public IP address or a host name DNS"
              + " resolves",
          e);
    }
  }

  private static int seconds(Duration duration) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toSeconds()));
  }

  /** The open control connections of the plain/explicit-TLS listener, for tests. */
  Set<IoSession> controlSessions() {
    return new HashSet<>(listeners.get(EXPLICIT).getActiveSessions());
  }

  /** Connections that have not logged in yet, for tests. */
  int connectionsWaitingToLogIn() {
    return guard.preLoginCount();
  }

  /** The control port actually bound (useful when configured as 0). */
  public int port() {
    return listeners.get(EXPLICIT).getPort();
  }

  /** The implicit FTPS port actually bound, or -1 when implicit FTPS is off. */
  public int implicitTlsPort() {
    Listener implicit = listeners.get(IMPLICIT);
    return implicit == null ? -1 : implicit.getPort();
  }

  /** Ports of the passive range held by a session right now. */
  public int passivePortsInUse() {
    return data.passivePortsInUse();
  }

  /** Whether the server takes new connections: started, and not stopping or stopped. */
  public boolean accepting() {
    return !closed && !server.isStopped() && !server.isSuspended();
  }

  /** TLS handshakes of protected data connections under way right now. */
  public int dataHandshakesInProgress() {
    return data.handshakesInProgress();
  }

  /** Transfers running right now. */
  public int runningTransfers() {
    return transfers.count();
  }

  /** Bytes the running transfers have moved over their data connections so far, for tests. */
  long bytesInFlight() {
    return transfers.bytesInFlight();
  }

  /**
   * Graceful stop: refuses new connections, lets running transfers finish for up to {@link
   * FtpSettings#shutdownGrace()}, then aborts the rest so no upload is left half-written.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    guard.refuseNewConnections();
    transfers.stopAccepting();
    try {
      if (!transfers.awaitIdle(settings.shutdownGrace())) {
        int cut = transfers.abortAll();
        LOG.warn(
            "Shutdown grace of {} s over: aborted {} running transfer(s); their clients must"
                + " retry",
            settings.shutdownGrace().toSeconds(),
            cut);
        if (!transfers.awaitIdle(ABORT_CLEANUP)) {
          LOG.error(
              "{} transfer(s) did not end after being aborted; their uploads will be removed by"
                  + " the stale-upload sweeper",
              transfers.count());
        }
      }
    } catch (InterruptedException e) {
      transfers.abortAll();
      Thread.currentThread().interrupt();
    } finally {
      server.stop();
      transfers.close();
      timers.shutdownNow();
      checks.close();
      if (revocations != null) {
        revocations.close();
      }
      refusals.reportAll();
      awaitSessionsClosed();
      audited.reports().reportAll();
      LOG.info("FTP server stopped");
    }
  }
}
