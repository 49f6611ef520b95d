package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.users.InvalidUsersFileException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code dropzone} command. Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
@Command(
    name = "dropzone",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    versionProvider = Main.Version.class,
    description = "S3-backed encrypting FTP/FTPS gateway.",
    subcommands = {
      ServeCommand.class,
      EmbeddedCommand.class,
      UsersCommand.class,
      KeysCommand.class,
      DecryptCommand.class,
      CatCommand.class
    })
public final class Main implements Runnable {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @Spec CommandSpec spec;

  private final InputStream in;
  private final OutputStream stdout;
  private final Map<String, String> environment;

  public Main(InputStream in, Map<String, String> environment) {
    this(in, System.out, environment);
  }

  /**
   * @param stdout where {@code cat} writes plaintext bytes (the command line's text output is a
   *     writer, which would mangle them)
   */
  public Main(InputStream in, OutputStream stdout, Map<String, String> environment) {
    this.in = in;
    this.stdout = stdout;
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.in).execute(args));
  }

  /** The command line with Dropzone's exit codes and error reporting; tests drive it directly. */
  public static CommandLine commandLine(InputStream in) {
    return commandLine(in, System.getenv());
  }

  /** As {@link #commandLine(InputStream)}, reading {@code DROPZONE_*} settings from {@code env}. */
  public static CommandLine commandLine(InputStream in, Map<String, String> env) {
    return commandLine(new Main(in, env));
  }

  /**
   * As {@link #commandLine(InputStream, Map)}, with {@code cat}'s bytes going to {@code stdout}.
   */
  public static CommandLine commandLine(
      InputStream in, OutputStream stdout, Map<String, String> env) {
    return commandLine(new Main(in, stdout, env));
  }

  private static CommandLine commandLine(Main main) {
    CommandLine cli = new CommandLine(main);
    cli.setExecutionExceptionHandler(Main::reportFailure);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  /** Standard input, for {@code --password-stdin}. */
  InputStream in() {
    return in;
  }

  /** Standard output as bytes, for {@code cat}. */
  OutputStream stdout() {
    return stdout;
  }

  /** The environment, for {@code DROPZONE_*} settings. */
  Map<String, String> environment() {
    return environment;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing command: choose one of serve, embedded, users, keys, decrypt, cat");
  }

  private static int reportFailure(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    if (e instanceof ConfigException config) {
      err.println("Configuration error:");
      config.problems().forEach(p -> err.println("  " + p));
      err.println("Fix the configuration (see the README's configuration reference) and retry.");
      err.flush();
      return USAGE;
    }
    if (e instanceof CommandFailure failure) {
      err.println("Error: " + failure.getMessage());
      err.flush();
      return failure.exitCode();
    }
    if (e instanceof InvalidUsersFileException invalid) {
      err.println("Error: " + invalid.getMessage());
      err.flush();
      return USAGE;
    }
    if (e instanceof IOException io) {
      // The messages of Dropzone's own file handling say what and why; a trace adds nothing.
      err.println("Error: " + (io.getMessage() == null ? io.toString() : io.getMessage()));
      err.flush();
      return FAILED;
    }
    err.println("Error: " + e);
    e.printStackTrace(err);
    err.flush();
    return FAILED;
  }

  /** The version from the jar manifest; a plain build from source says so. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"dropzone " + (version == null ? "(development build)" : version)};
    }
  }
}
