package dev.dropzone.gateway.ftp.command;

import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * Answers 502 for checksum commands that would have to decrypt whole files on the control thread
 * (MINA's MD5/MMD5, the X-commands some clients try); HASH answers SHA-256 from what the upload
 * recorded instead, and the reply says so.
 */
final class NotSupportedCommand extends AbstractCommand {

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    // The command as sent: MINA has dropped a leading X from getCommand() (XCRC is CRC there).
    String sent = request.getRequestLine().strip().split(" ", 2)[0];
    session.write(
        ReplyMapper.reply(
            502,
            sent + " is not supported by this server; HASH gives the SHA-256 recorded at upload"));
  }
}
