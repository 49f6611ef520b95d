package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.embedded.EmbeddedStack;
import dev.dropzone.gateway.runtime.HeapTooSmallException;
import dev.dropzone.gateway.runtime.ShutdownHook;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.kek.KeyServiceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dropzone embedded}: the whole stack on this machine, no servers to install. */
@Command(
    name = "embedded",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run everything in this process: an S3-compatible server on the local filesystem, the local"
          + " key service and the FTP gateway. Data, keys and credentials persist in --data-dir."
    })
final class EmbeddedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @ParentCommand Main main;

  @Option(
      names = "--data-dir",
      description = "Where objects, the keyset, users and S3 credentials are kept.",
      defaultValue = "./dropzone-data")
  Path dataDir;

  @Option(names = "--port", description = "FTP control port.", defaultValue = "2121")
  int port;

  @Option(
      names = "--passive-ports",
      description = "Passive data ports (range or list; 0 = any free port).",
      defaultValue = "50000-50100")
  String passivePorts;

  @Option(names = "--bind", description = "Address to listen on.", defaultValue = "127.0.0.1")
  String bind;

  @Option(
      names = "--ftps-port",
      description =
          "Implicit FTPS port (TLS from the first byte; 0 = any free port, -1 = none). Explicit"
              + " FTPS (AUTH TLS) is always on the FTP port.",
      defaultValue = "2990")
  int ftpsPort;

  @Option(
      names = "--s3-port",
      description = "Port of the embedded S3 server on 127.0.0.1 (0 = any free port).",
      defaultValue = "0")
  int s3Port;

  @Option(
      names = "--admin-port",
      description =
          "Port of the admin endpoint (/metrics, /healthz, /readyz) on 127.0.0.1 (0 = any free"
              + " port, -1 = none).",
      defaultValue = "9180")
  int adminPort;

  @ArgGroup(exclusive = false, multiplicity = "0..*")
  List<UserOption> users = new ArrayList<>();

  /** One {@code --user} and where its password comes from. */
  static final class UserOption {
    @Option(
        names = "--user",
        required = true,
        paramLabel = "NAME",
        description =
            "Create a user or set its password (repeatable). The password is asked for at the"
                + " terminal unless --password-stdin, --password-file or --password-env follows."
                + " Without --user, a 'demo' user is created on first start and its password"
                + " printed once. NAME:PASSWORD still works but shows the password to everyone on"
                + " this machine (ps, shell history). Default: none.",
        showDefaultValue = Visibility.NEVER)
    String user;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    PasswordSource password;
  }

  /** The password of the {@code --user} before it, when not typed at the terminal. */
  static final class PasswordSource {
    @Option(
        names = "--password-stdin",
        description =
            "Read that user's password from the next line of standard input. Default: off.",
        showDefaultValue = Visibility.NEVER)
    boolean stdin;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "Read that user's password from the first line of FILE. Default: none.",
        showDefaultValue = Visibility.NEVER)
    Path file;

    @Option(
        names = "--password-env",
        paramLabel = "VARIABLE",
        description =
            "Read that user's password from the environment variable VARIABLE. Default: none.",
        showDefaultValue = Visibility.NEVER)
    String environment;
  }

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    EmbeddedStack stack =
        start(
            new EmbeddedStack.Options(
                dataDir,
                bind,
                port,
                passivePorts,
                ftpsPort,
                s3Port,
                users(System::getenv),
                adminPort));
    ShutdownHook.install(stack);
    PrintWriter out = spec.commandLine().getOut();
    stack.endpointLines().forEach(out::println);
    Path usersFile = stack.dataDir().resolve("users.yaml");
    stack
        .generatedPassword()
        .ifPresentOrElse(
            password ->
                out.println(
                    "Demo user: "
                        + EmbeddedStack.DEMO_USER
                        + " password: "
                        + password
                        + " (shown once; change it with: dropzone users passwd --file "
                        + usersFile
                        + " "
                        + EmbeddedStack.DEMO_USER
                        + ")"),
            () ->
                out.println(
                    "Users: "
                        + usersFile
                        + " (a forgotten password is reset with: dropzone users passwd --file "
                        + usersFile
                        + " NAME)"));
    if (stack.tlsRequired()) {
      out.println(
          "Listening on "
              + bind
              + ": logins without TLS are refused. Clients must use FTPS and check the"
              + " certificate's fingerprint above (or trust the certificate file); for a"
              + " certificate of your own, use 'serve' with ftp.tls.");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stack.awaitStopped();
    return Main.OK;
  }

  private static EmbeddedStack start(EmbeddedStack.Options options) throws ConfigException {
    try {
      return EmbeddedStack.start(options);
    } catch (HeapTooSmallException e) {
      throw new CommandFailure(Main.USAGE, e.getMessage(), e);
    } catch (KeyServiceException e) {
      throw new CommandFailure(Main.FAILED, "key service: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CommandFailure(Main.FAILED, "cannot start: " + e.getMessage(), e);
    }
  }

  /**
   * The {@code --user} entries with their passwords, name → password, in the order given.
   *
   * @param environment looks up {@code --password-env} variables
   */
  Map<String, char[]> users(Function<String, String> environment) {
    Map<String, char[]> resolved = new LinkedHashMap<>();
    for (UserOption option : users) {
      int colon = option.user.indexOf(':');
      String name = colon < 0 ? option.user : option.user.substring(0, colon);
      if (colon == 0 || colon == option.user.length() - 1) {
        throw usage("--user must be NAME (or NAME:PASSWORD), got '" + name + ":…'");
      }
      if (!UserEntry.isValidName(name)) {
        throw usage(
            "--user: name '" + name + "' is not valid: use 1-64 letters, digits, '.', '_' or '-'");
      }
      if (resolved.containsKey(name)) {
        throw usage("--user " + name + " is given twice");
      }
      if (colon > 0 && option.password != null) {
        throw usage(
            "--user "
                + name
                + ":… already holds the password; drop it or the --password-… option after it");
      }
      resolved.put(
          name,
          colon > 0 ? passwordOnCommandLine(name, option.user) : password(option, environment));
    }
    return resolved;
  }

  private char[] password(UserOption option, Function<String, String> environment) {
    PasswordSource source = option.password;
    if (source == null) {
      return PasswordInput.fromTerminal(option.user);
    }
    if (source.file != null) {
      return PasswordInput.fromFile(option.user, source.file);
    }
    if (source.environment != null) {
      return PasswordInput.fromEnvironment(option.user, source.environment, environment);
    }
    return PasswordInput.fromStdin(option.user, main.in());
  }

  /** The old {@code NAME:PASSWORD} form: kept working, with a warning about who can read it. */
  private char[] passwordOnCommandLine(String name, String argument) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "Warning: --user "
            + name
            + ":… puts the password on the command line, where everyone on this machine can"
            + " read it (ps, /proc, shell history). Use --user "
            + name
            + " with --password-stdin, --password-file FILE or --password-env VARIABLE.");
    err.flush();
    return argument.substring(name.length() + 1).toCharArray();
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
