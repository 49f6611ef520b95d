package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.runtime.ShutdownHook;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyServiceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
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

  @Option(
      names = {"-c", "--config"},
      description = "YAML config file; relative paths in it are relative to its directory.",
      defaultValue = "dropzone.yaml")
  Path config;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description =
          "Override one config key, e.g. --set ftp.port=2121 (repeatable). Default: none.",
      showDefaultValue = Visibility.NEVER)
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--check",
      description = "Validate the configuration and exit without starting.",
      defaultValue = "false",
      showDefaultValue = Visibility.ALWAYS)
  boolean checkOnly;

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    Path file = config.toAbsolutePath();
    GatewaySettings settings =
        new ConfigLoader()
            .file(file)
            .environment(System.getenv())
            .overrides(overrides, "--set")
            .settings(file.getParent());
    PrintWriter out = spec.commandLine().getOut();
    if (checkOnly) {
      out.println("Configuration " + file + " is valid.");
      out.flush();
      return Main.OK;
    }
    checkUsers(settings.usersFile(), out);
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
    out.flush();
    runtime.awaitStopped();
    return Main.OK;
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
      return GatewayRuntime.start(
          settings, new FileAuthenticator(new UsersFile(settings.usersFile())));
    } catch (KeyServiceException e) {
      throw new CommandFailure(
          Main.FAILED,
          "key service: " + e.getMessage() + " (check keys.keysetFile and its permissions)",
          e);
    } catch (IOException e) {
      throw new CommandFailure(Main.FAILED, "cannot start: " + e.getMessage(), e);
    }
  }
}
