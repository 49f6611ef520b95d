package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ABOR (RFC 959 §4.1.3). It reaches this command while the transfer still runs (the control queue
 * lets it pass), wherever the transfer is: the transfer is cut off, an upload is aborted so nothing
 * is stored, and the transfer answers 426 and then 226 for ABOR. Without a running transfer ABOR
 * only closes a prepared data connection and answers 226. MINA's ABOR could do neither: it ran only
 * after the transfer had ended, by which time a cut-off upload was already stored.
 */
final class AbortCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(AbortCommand.class);

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    Transfer running = TransferRegistry.of(session);
    if (running != null && running.abortByClient()) {
      LOG.info("{} sent ABOR during the {}", running.user(), running.what());
      return;
    }
    DataCommand.finish(session);
    session.write(ReplyMapper.reply(226, "ABOR command successful; no transfer was running"));
  }
}
