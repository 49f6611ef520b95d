package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.embedded.EmbeddedStack;
import dev.dropzone.gateway.runtime.ShutdownHook;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.kek.KeyServiceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
      names = "--s3-port",
      description = "Port of the embedded S3 server on 127.0.0.1 (0 = any free port).",
      defaultValue = "0")
  int s3Port;

  @Option(
      names = "--user",
      paramLabel = "NAME:PASSWORD",
      description =
          "Create a user or set its password (repeatable). Without it, a 'demo' user is created"
              + " on first start and its password printed once. Default: none.",
      showDefaultValue = Visibility.NEVER)
  List<String> users = List.of();

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    EmbeddedStack stack =
        start(new EmbeddedStack.Options(dataDir, bind, port, passivePorts, s3Port, parseUsers()));
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
    if (!isLoopback(bind)) {
      out.println(
          "Warning: embedded mode serves plain FTP on "
              + bind
              + ": passwords and files cross the network unencrypted; use 'serve' with ftp.tls"
              + " for anything beyond this machine.");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stack.awaitStopped();
    return Main.OK;
  }

  private static EmbeddedStack start(EmbeddedStack.Options options) throws ConfigException {
    try {
      return EmbeddedStack.start(options);
    } catch (KeyServiceException e) {
      throw new CommandFailure(Main.FAILED, "key service: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CommandFailure(Main.FAILED, "cannot start: " + e.getMessage(), e);
    }
  }

  private static boolean isLoopback(String address) {
    try {
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private Map<String, char[]> parseUsers() {
    Map<String, char[]> parsed = new LinkedHashMap<>();
    for (String user : users == null ? List.<String>of() : users) {
      int colon = user.indexOf(':');
      String name = colon < 0 ? user : user.substring(0, colon);
      if (colon < 1 || colon == user.length() - 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--user must be NAME:PASSWORD, got '" + name + ":…'");
      }
      if (!UserEntry.isValidName(name)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--user: name '" + name + "' is not valid: use 1-64 letters, digits, '.', '_' or '-'");
      }
      parsed.put(name, user.substring(colon + 1).toCharArray());
    }
    return parsed;
  }
}
