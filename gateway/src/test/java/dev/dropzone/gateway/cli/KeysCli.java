package dev.dropzone.gateway.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** {@code dropzone keys …} run in-process as an operator would, every setting given as --set. */
final class KeysCli {

  record Run(int code, String out, String err) {}

  private KeysCli() {}

  /**
   * @param dir where the (empty) configuration file goes
   */
  static Run run(Path dir, Map<String, String> settings, String... args) throws Exception {
    Path file = Files.writeString(dir.resolve("dropzone.yaml"), "# all settings come from --set\n");
    List<String> all = new ArrayList<>(List.of("keys"));
    all.addAll(List.of(args));
    all.add("--config");
    all.add(file.toString());
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      all.add("--set");
      all.add(entry.getKey() + "=" + entry.getValue());
    }
    return execute(all);
  }

  /** {@code dropzone} with exactly these arguments, no input. */
  static Run execute(List<String> args) {
    CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }
}
