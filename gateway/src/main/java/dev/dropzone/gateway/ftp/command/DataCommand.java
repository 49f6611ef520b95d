package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.data.DataConnectionRefusedException;
import dev.dropzone.gateway.ftp.data.DataConnections;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A command that moves bytes over the data connection (listings and transfers). */
abstract class DataCommand extends StoreCommand {

  private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);

  /** True when PASV/EPSV/PORT/EPRT prepared a data connection; otherwise replies 503. */
  static boolean dataPrepared(FtpIoSession session) {
    ServerDataConnectionFactory factory = session.getDataConnection();
    if (factory.getInetAddress() == null) {
      session.write(ReplyMapper.reply(503, DataConnections.notPrepared(factory)));
      return false;
    }
    return true;
  }

  /** Replies 150 and opens the data connection, or replies 425 and returns null. */
  static DataConnection open(FtpIoSession session, String opening) {
    session.write(ReplyMapper.reply(150, opening)).awaitUninterruptibly(10_000);
    try {
      return session.getDataConnection().openConnection();
    } catch (DataConnectionRefusedException e) {
      LOG.info(
          "{} could not open a data connection: {}",
          session.getUser() == null ? "?" : session.getUser().getName(),
          e.getMessage());
      session.write(ReplyMapper.reply(425, e.getMessage()));
      return null;
    } catch (Exception e) {
      LOG.info(
          "{} could not open a data connection: {}; the client must connect from its own"
              + " address (or accept our PORT connection) with matching TLS (PROT) settings,"
              + " and firewalls must pass the passive port range",
          session.getUser() == null ? "?" : session.getUser().getName(),
          e.getMessage());
      session.write(
          ReplyMapper.reply(
              425,
              "Cannot open data connection (passive connections must come from your own"
                  + " address; TLS settings must match)"));
      return null;
    }
  }

  /** Ends a data command whatever happened: no offset or data connection survives it. */
  static void finish(FtpIoSession session) {
    session.resetState();
    session.getDataConnection().closeDataConnection();
  }
}
