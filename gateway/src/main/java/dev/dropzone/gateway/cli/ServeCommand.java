package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.keys.LocalKeyset;
import dev.dropzone.gateway.preflight.Preflight;
import dev.dropzone.gateway.preflight.Report;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.runtime.ShutdownHook;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyServiceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dropzone serve}: runs against a real S3 endpoint and key service. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the gateway against an S3 endpoint.",
      "Settings come from the defaults, then the config file, then DROPZONE_* environment"
          + " variables, then --set; the README lists every key."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConfigOptions options;

  /** The longest the preflight waits for one key-service call. */
  private static final Duration KEY_CALL_TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = "--check",
      description = {
        "Preflight, then exit without starting: report every configuration problem, check the"
            + " users file and keyset (readable, safe permissions), wrap and unwrap with the key"
            + " service, and write, read, list and delete a probe object in the bucket.",
        "Exit code 0 when all pass, 2 for configuration or file problems, 1 when S3 or the key"
            + " service fails."
      },
      defaultValue = "false",
      showDefaultValue = Visibility.ALWAYS)
  boolean checkOnly;

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (checkOnly) {
      return preflight(out);
    }
    GatewaySettings settings = options.settings();
    if (settings.auth().uses(AuthSettings.Backend.FILE)) {
      checkUsers(settings.usersFile(), out);
    }
    LocalKeyset.problem(settings.keyProvider())
        .ifPresent(
            problem -> {
              throw new CommandFailure(Main.USAGE, problem);
            });
    GatewayRuntime runtime = start(settings);
    ShutdownHook.install(runtime);
    out.println("FTP: ftp://" + settings.ftp().bind() + ":" + runtime.ftpPort() + "/");
    if (runtime.implicitTlsPort() > 0) {
      out.println(
          "FTPS (implicit): ftps://"
              + settings.ftp().bind()
              + ":"
              + runtime.implicitTlsPort()
              + "/");
    }
    runtime.adminUrl().ifPresent(url -> out.println("Admin: " + url));
    out.flush();
    runtime.awaitStopped();
    return Main.OK;
  }

  private int preflight(PrintWriter out) throws ConfigException, InterruptedException {
    Report report = new Preflight(KEY_CALL_TIMEOUT).run(options.checked());
    out.println("Preflight of " + options.file() + ":");
    report.findings().forEach(finding -> out.println("  " + finding));
    if (report.problems() == 0) {
      out.println("All checks passed: serve can start with this configuration.");
    }
    out.flush();
    if (report.problems() > 0) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "Error: the preflight found "
              + report.problems()
              + " problem(s), listed above; serve would not start or not work until they are"
              + " fixed.");
      err.flush();
    }
    return report.exitCode();
  }

  /** A broken users file is a configuration error found at start, not at the first login. */
  private static void checkUsers(Path usersFile, PrintWriter out) {
    try {
      if (new UsersFile(usersFile).read().isEmpty()) {
        out.println(
            "Warning: "
                + usersFile
                + " has no users, so nobody can log in; add one with: dropzone users add --file "
                + usersFile
                + " NAME");
      }
    } catch (IOException e) {
      throw new CommandFailure(Main.USAGE, e.getMessage(), e);
    }
  }

  private static GatewayRuntime start(GatewaySettings settings) {
    try {
      return GatewayRuntime.start(settings);
    } catch (IllegalStateException e) {
      throw new CommandFailure(Main.USAGE, e.getMessage(), e);
    } catch (KeyServiceException e) {
      throw new CommandFailure(
          Main.FAILED,
          "key service: "
              + e.getMessage()
              + " (check keys.provider and "
              + settings.keyProvider().configKeys()
              + ")",
          e);
    } catch (IOException e) {
      throw new CommandFailure(Main.FAILED, "cannot start: " + e.getMessage(), e);
    }
  }
}
