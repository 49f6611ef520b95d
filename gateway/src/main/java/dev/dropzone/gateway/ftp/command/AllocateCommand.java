package dev.dropzone.gateway.ftp.command;

import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * ALLO, which some older clients send before each upload and give up on when it fails: RFC 959 asks
 * servers that need no allocation to take it as a NOOP, and uploads here stream to S3. It leaves a
 * preceding REST in place, since the upload it announces comes next.
 */
final class AllocateCommand extends AbstractCommand {

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.write(ReplyMapper.reply(202, "No storage allocation necessary"));
  }
}
