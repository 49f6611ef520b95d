package dev.dropzone.gateway.ftp.command;

import java.util.ArrayList;
import java.util.List;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * FEAT listing what this server really supports. MINA's fixed list also advertises MD5, MODE Z and
 * LANG, and TLS even when none is configured.
 */
final class FeaturesCommand extends AbstractCommand {

  private final String[] lines;

  FeaturesCommand(boolean tls, boolean activeMode) {
    List<String> lines = new ArrayList<>();
    lines.add("Extensions supported:");
    lines.add(" UTF8");
    lines.add(" SIZE");
    lines.add(" MDTM");
    lines.add(" MFMT");
    lines.add(" HASH " + HashCommand.ALGORITHM + "*");
    lines.add(" REST STREAM");
    lines.add(" MLST type*;size*;modify*;perm*;");
    lines.add(" PASV");
    lines.add(" EPSV");
    if (activeMode) {
      lines.add(" EPRT");
    }
    if (tls) {
      lines.add(" AUTH TLS");
      lines.add(" PBSZ");
      lines.add(" PROT");
    }
    lines.add("End");
    this.lines = lines.toArray(String[]::new);
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    session.write(new DefaultFtpReply(211, lines));
  }
}
