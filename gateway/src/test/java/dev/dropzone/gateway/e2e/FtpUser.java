package dev.dropzone.gateway.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One FTP user driving curl and lftp against the gateway on 127.0.0.1. */
final class FtpUser {

  private final String name;
  private final String password;
  private final int port;
  private final Path workDir;

  FtpUser(String name, String password, int port, Path workDir) {
    this.name = name;
    this.password = password;
    this.port = port;
    this.workDir = workDir;
  }

  String url(String path) {
    return "ftp://127.0.0.1:" + port + path;
  }

  /** curl with this user's credentials, failing on any FTP error reply. */
  ClientProcess.Result curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--fail"));
    command.addAll(List.of("--user", name + ":" + password, "--max-time", "170"));
    command.addAll(List.of(args));
    return ClientProcess.run(workDir, command.toArray(String[]::new));
  }

  /**
   * curl over FTPS ({@code --ssl-reqd}), trusting only {@code certificate}; an {@code ftps://} URL
   * makes it implicit FTPS.
   */
  ClientProcess.Result curlTls(Path certificate, String... args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--ssl-reqd", "--cacert", certificate.toString()));
    all.addAll(List.of(args));
    return curl(all.toArray(String[]::new));
  }

  /**
   * lftp with TLS on the control connection and on every data connection (PROT P), checking the
   * server's certificate against {@code certificate}, offering only the TLS versions of the GnuTLS
   * {@code priority} string.
   */
  ClientProcess.Result lftpTls(Path certificate, String priority, String script)
      throws IOException, InterruptedException {
    String settings =
        "set cmd:fail-exit yes; set ftp:ssl-force true; set ftp:ssl-protect-data true;"
            + " set ftp:ssl-protect-list true; set ssl:verify-certificate yes;"
            + " set ssl:ca-file \""
            + certificate
            + "\"; set ssl:priority \""
            + priority
            + "\"; set net:max-retries 1; set net:timeout 30; set xfer:clobber on; ";
    return runLftp(settings, script);
  }

  /** lftp running {@code script} (commands separated by ';'), stopping at the first failure. */
  ClientProcess.Result lftp(String script) throws IOException, InterruptedException {
    String settings =
        "set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 1;"
            + " set net:timeout 30; set xfer:clobber on; set ftp:use-mlsd true; ";
    return runLftp(settings, script);
  }

  private ClientProcess.Result runLftp(String settings, String script)
      throws IOException, InterruptedException {
    return ClientProcess.run(
        workDir,
        "lftp",
        "-u",
        name + "," + password,
        "-p",
        Integer.toString(port),
        "-e",
        settings + script + "; bye",
        "127.0.0.1");
  }

  Path workDir() {
    return workDir;
  }
}
