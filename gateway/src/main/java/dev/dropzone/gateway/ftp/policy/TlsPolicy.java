package dev.dropzone.gateway.ftp.policy;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import java.util.Set;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code require-tls}: no credentials over a plain control connection, no file data or listings
 * over a plain data connection.
 */
public final class TlsPolicy extends DefaultFtplet {

  private static final Logger LOG = LoggerFactory.getLogger(TlsPolicy.class);
  private static final Set<String> LOGIN = Set.of("USER", "PASS");
  private static final Set<String> DATA =
      Set.of("RETR", "STOR", "APPE", "STOU", "LIST", "NLST", "MLSD");

  @Override
  public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException {
    String command = request.getCommand();
    if (LOGIN.contains(command) && !session.isSecure()) {
      LOG.info(
          "Refused {} over plain FTP from {}: TLS is required",
          command,
          session.getClientAddress().getAddress().getHostAddress());
      refuse(
          session,
          request,
          ReplyMapper.reply(530, "TLS required: send AUTH TLS first", "tls_required"));
      return FtpletResult.SKIP;
    }
    if (DATA.contains(command) && !session.getDataConnection().isSecure()) {
      refuse(
          session,
          request,
          ReplyMapper.reply(
              521,
              "Data connections must be protected: send PBSZ 0 and PROT P first",
              "data_protection_required"));
      return FtpletResult.SKIP;
    }
    return FtpletResult.DEFAULT;
  }

  private static void refuse(FtpSession session, FtpRequest request, FtpReply reply)
      throws FtpException {
    session.write(reply);
    ReplyMapper.refused(session, request, reply);
  }
}
