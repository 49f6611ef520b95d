package dev.dropzone.gateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One FTP user driving real clients (curl, lftp, rclone, wget, ftplib) against 127.0.0.1. */
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

  /**
   * rclone with an FTP remote named {@code dz} for this user, configured in a file of its own in
   * the work directory (never the user's home), with retries off so a failure shows at once.
   */
  ClientProcess.Result rclone(String... args) throws IOException, InterruptedException {
    Path config = workDir.resolve("rclone.conf");
    if (!Files.exists(config)) {
      String obscured =
          ClientProcess.run(workDir, "rclone", "obscure", password)
              .assertOk("rclone obscure")
              .output()
              .strip();
      Files.writeString(
          config,
          String.join(
              "\n",
              "[dz]",
              "type = ftp",
              "host = 127.0.0.1",
              "port = " + port,
              "user = " + name,
              "pass = " + obscured,
              ""));
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    }
    List<String> command = new ArrayList<>(List.of("rclone", "--config", config.toString()));
    command.addAll(
        List.of("--retries", "1", "--low-level-retries", "1", "--contimeout", "30s", "-v"));
    command.addAll(List.of(args));
    return ClientProcess.run(
        workDir,
        // UTC, so the times rclone prints compare whatever this machine's zone.
        Map.of("RCLONE_CACHE_DIR", workDir.resolve("rclone-cache").toString(), "TZ", "UTC"),
        command.toArray(String[]::new));
  }

  /** wget of {@code path} with this user's credentials and {@code args} before the URL. */
  ClientProcess.Result wget(String path, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of("wget", "--no-verbose", "--tries=1", "--timeout=60", "--user=" + name));
    command.add("--password=" + password);
    command.addAll(List.of(args));
    command.add(url(path));
    return ClientProcess.run(workDir, command.toArray(String[]::new));
  }

  /**
   * Python's ftplib running {@code script} with {@code ftp} logged in as this user (the password
   * comes through the environment, so no quoting can break it) and {@code args} as {@code
   * sys.argv[1:]}; the script ends the session.
   */
  ClientProcess.Result python(String script, String... args)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile(workDir, "ftplib", ".py");
    Files.writeString(
        file,
        String.join(
                "\n",
                "import ftplib, os",
                "ftp = ftplib.FTP()",
                "ftp.encoding = 'utf-8'",
                "ftp.connect('127.0.0.1', " + port + ", timeout=60)",
                "ftp.login('" + name + "', os.environ['DZ_PASSWORD'])",
                "")
            + script
            + "\nftp.quit()\n");
    try {
      List<String> command = new ArrayList<>(List.of("python3", file.toString()));
      command.addAll(List.of(args));
      return ClientProcess.run(
          workDir, Map.of("DZ_PASSWORD", password), command.toArray(String[]::new));
    } finally {
      Files.delete(file);
    }
  }

  Path workDir() {
    return workDir;
  }
}
