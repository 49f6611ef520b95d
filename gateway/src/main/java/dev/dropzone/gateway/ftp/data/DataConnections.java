package dev.dropzone.gateway.ftp.data;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;
import org.apache.mina.core.session.IoSession;

/**
 * Dropzone's data connections, one {@link SessionDataConnection} per control connection, in place
 * of MINA's: passive listeners belong to their session and never outlive it, a newer
 * PASV/EPSV/PORT/EPRT, or the accept timeout; PORT/EPRT addresses are literal only; protected (PROT
 * P) connections go through {@link DataProtection}.
 */
public final class DataConnections {

  /**
   * Where MINA's {@code FtpIoSession.getDataConnection()} looks first; it creates its own factory
   * only when the attribute is missing.
   */
  static final String MINA_ATTRIBUTE = FtpIoSession.ATTRIBUTE_PREFIX + "data-connection";

  final PassivePorts ports;
  final Duration acceptTimeout;
  final ScheduledExecutorService timers;
  final DataProtection protection;

  /** TLS handshakes of data connections under way now. */
  final AtomicInteger handshaking = new AtomicInteger();

  /**
   * @param acceptTimeout how long a passive port waits for its connection, and an active connection
   *     may take to connect
   * @param protection TLS for PROT P data connections, or null without TLS
   */
  public DataConnections(
      PassivePorts ports,
      Duration acceptTimeout,
      ScheduledExecutorService timers,
      DataProtection protection) {
    this.ports = ports;
    this.acceptTimeout = acceptTimeout;
    this.timers = timers;
    this.protection = protection;
  }

  /**
   * Gives a new control connection its data connection, before MINA would make one.
   *
   * @param protectedByDefault implicit FTPS: data connections are protected until PROT C
   */
  public void attach(IoSession session, FtpServerContext context, boolean protectedByDefault) {
    SessionDataConnection data = new SessionDataConnection(this, session, context);
    data.setSecure(protectedByDefault);
    session.setAttribute(MINA_ATTRIBUTE, data);
  }

  /** Dropzone's PASV, EPSV, PORT and EPRT, in place of MINA's. */
  public static void installCommands(CommandFactoryFactory commands, boolean activeModeEnabled) {
    commands.addCommand("PASV", new PassiveCommand(false));
    commands.addCommand("EPSV", new PassiveCommand(true));
    commands.addCommand("PORT", new ActiveCommand(false, activeModeEnabled));
    commands.addCommand("EPRT", new ActiveCommand(true, activeModeEnabled));
  }

  /** Why a transfer command cannot start yet: no PASV/EPSV/PORT/EPRT, or its port expired. */
  public static String notPrepared(ServerDataConnectionFactory factory) {
    if (factory instanceof SessionDataConnection data && data.expired()) {
      return "The passive port closed after "
          + data.acceptTimeoutSeconds()
          + " s without a connection; send PASV or EPSV again";
    }
    return "Send PASV, EPSV, PORT or EPRT first";
  }

  /** TLS handshakes of protected data connections under way right now. */
  public int handshakesInProgress() {
    return handshaking.get();
  }

  /** Ports of the passive range lent out right now. */
  public int passivePortsInUse() {
    return ports.inUse();
  }
}
