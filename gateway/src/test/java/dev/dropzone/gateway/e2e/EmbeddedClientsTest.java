package dev.dropzone.gateway.e2e;

import dev.dropzone.gateway.embedded.EmbeddedStack;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RealClientsContract} against embedded mode, whose S3 server keeps directory markers as
 * real directories on disk and may leave them out of listings; and lftp mirroring over its FTPS.
 */
class EmbeddedClientsTest extends RealClientsContract {

  private static final String PASSWORD = "alice-clients-password";

  private EmbeddedStack stack;

  @Override
  protected FtpUser start(Path root, Path work) throws Exception {
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                root.resolve("data"),
                "127.0.0.1",
                0,
                "0",
                -1,
                0,
                Map.of("alice", PASSWORD.toCharArray())));
    return new FtpUser("alice", PASSWORD, stack.ftpPort(), work);
  }

  /**
   * lftp over FTPS, TLS 1.3 and protected data connections, each resuming the control connection's
   * TLS session: a mirror opens one data connection per file and per directory listing.
   */
  @Test
  void lftpMirrorsATreeOverFtps() throws Exception {
    Path local = tree("ftps-tree");
    FtpUser user = new FtpUser("alice", PASSWORD, stack.ftpPort(), work);
    Path certificate = stack.certificate().certificate();
    String tls13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3";

    user.lftpTls(certificate, tls13, "mkdir /over-tls; mirror -R " + local + " /over-tls")
        .assertOk("mirror -R over FTPS");
    Path back = work.resolve("ftps-back");
    user.lftpTls(certificate, tls13, "mirror /over-tls " + back).assertOk("mirror over FTPS");

    assertSameTree(local, back);
  }

  @Override
  protected void stop() {
    if (stack != null) {
      stack.close();
    }
  }
}
