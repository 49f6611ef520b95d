package dev.dropzone.gateway.ftp.policy;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PORT and EPRT only towards the control connection's own peer and unprivileged ports, or not at
 * all: otherwise the server can be made to connect anywhere (FTP bounce).
 */
public final class ActiveModePolicy extends DefaultFtplet {

  private static final Logger LOG = LoggerFactory.getLogger(ActiveModePolicy.class);

  private final boolean enabled;

  public ActiveModePolicy(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException {
    String command = request.getCommand();
    if (!command.equals("PORT") && !command.equals("EPRT")) {
      return FtpletResult.DEFAULT;
    }
    String refusal = refusal(session, command, request.getArgument());
    if (refusal == null) {
      return FtpletResult.DEFAULT;
    }
    LOG.info(
        "Refused {} from {}: {}",
        command,
        session.getClientAddress().getAddress().getHostAddress(),
        refusal);
    session.write(ReplyMapper.reply(enabled ? 504 : 502, refusal));
    return FtpletResult.SKIP;
  }

  private String refusal(FtpSession session, String command, String argument) {
    if (!enabled) {
      return "Active mode is disabled on this server; use passive mode (PASV/EPSV)";
    }
    Target target = command.equals("PORT") ? port(argument) : eprt(argument);
    if (target == null) {
      return command + " argument is malformed";
    }
    if (!target.address().equals(session.getClientAddress().getAddress())) {
      return command + " refused: data connections go only to your own address";
    }
    if (target.port() < 1024) {
      return command + " refused: port " + target.port() + " is below 1024";
    }
    return null;
  }

  private record Target(InetAddress address, int port) {}

  /** {@code h1,h2,h3,h4,p1,p2}. */
  private static Target port(String argument) {
    if (argument == null) {
      return null;
    }
    String[] parts = argument.trim().split(",");
    if (parts.length != 6) {
      return null;
    }
    try {
      byte[] address = new byte[4];
      for (int i = 0; i < 4; i++) {
        address[i] = (byte) octet(parts[i]);
      }
      int port = octet(parts[4]) * 256 + octet(parts[5]);
      return new Target(InetAddress.getByAddress(address), port);
    } catch (NumberFormatException | UnknownHostException e) {
      return null;
    }
  }

  /** {@code <d>proto<d>address<d>port<d>} (RFC 2428). */
  private static Target eprt(String argument) {
    if (argument == null || argument.length() < 7) {
      return null;
    }
    String delimiter = argument.substring(0, 1);
    String[] parts = argument.split(java.util.regex.Pattern.quote(delimiter), -1);
    if (parts.length != 5 || !(parts[1].equals("1") || parts[1].equals("2"))) {
      return null;
    }
    try {
      int port = Integer.parseInt(parts[3]);
      if (port < 0 || port > 65535 || !parts[2].matches("[0-9a-fA-F.:]+")) {
        return null;
      }
      // Only literal addresses reach here, so this never does a DNS lookup.
      return new Target(InetAddress.getByName(parts[2]), port);
    } catch (NumberFormatException | UnknownHostException e) {
      return null;
    }
  }

  private static int octet(String s) {
    int value = Integer.parseInt(s.trim());
    if (value < 0 || value > 255) {
      throw new NumberFormatException(s);
    }
    return value;
  }
}
