package dev.dropzone.gateway.ftp.command;

import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * Answers 502 for MINA built-ins that cannot work on encrypted objects (MD5/MMD5 would have to
 * decrypt whole files on the control thread; MFMT cannot change an S3 object's time).
 */
final class NotSupportedCommand extends AbstractCommand {

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    session.write(
        ReplyMapper.reply(502, request.getCommand() + " is not supported by this server"));
  }
}
