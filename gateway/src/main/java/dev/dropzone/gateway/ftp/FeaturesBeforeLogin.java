package dev.dropzone.gateway.ftp;

import java.util.function.Supplier;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.DefaultFtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Answers FEAT before login too (RFC 2389 allows it, and clients ask it to decide whether to send
 * AUTH TLS). MINA refuses every command but USER, PASS, AUTH, PBSZ, PROT and QUIT until a user has
 * logged in, with no way to change that list, so FEAT is answered here, before MINA's check.
 */
final class FeaturesBeforeLogin extends IoFilterAdapter {

  private final Command features;
  private final Supplier<FtpServerContext> context;

  FeaturesBeforeLogin(Command features, Supplier<FtpServerContext> context) {
    this.features = features;
    this.context = context;
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (message instanceof String line) {
      FtpRequest request = new DefaultFtpRequest(line);
      FtpIoSession ftp = new FtpIoSession(session, context.get());
      if (request.getCommand().equals("FEAT") && !ftp.isLoggedIn()) {
        ftp.updateLastAccessTime();
        features.execute(ftp, context.get(), request);
        return;
      }
    }
    next.messageReceived(session, message);
  }
}
