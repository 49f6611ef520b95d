package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class HelpTest {

  static Stream<List<String>> commands() {
    return Stream.of(
        List.of(),
        List.of("serve"),
        List.of("embedded"),
        List.of("users"),
        List.of("users", "add"),
        List.of("users", "passwd"),
        List.of("users", "remove"),
        List.of("users", "list"),
        List.of("decrypt"),
        List.of("cat"));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void helpListsEveryOptionWithItsDefault(List<String> path) {
    CommandLine root = Main.commandLine(System.in);
    CommandLine command = root;
    for (String name : path) {
      command = command.getSubcommands().get(name);
    }
    String[] args = Stream.concat(path.stream(), Stream.of("--help")).toArray(String[]::new);

    UsersCommandTest.Run run = UsersCommandTest.run("", args);

    assertThat(run.exitCode()).isZero();
    String help = run.out();
    CommandSpec spec = command.getCommandSpec();
    for (OptionSpec option : spec.options()) {
      assertThat(help).as(help).contains(option.longestName());
      if (option.showDefaultValue() == CommandLine.Help.Visibility.NEVER) {
        assertThat(String.join(" ", option.description()))
            .as(
                "%s hides the computed default, so its description must state it",
                option.longestName())
            .contains("Default: ");
      } else if (!option.usageHelp() && !option.versionHelp()) {
        assertThat(help)
            .as("default of %s in%n%s", option.longestName(), help)
            .contains("Default: " + option.defaultValue());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void aMissingCommandOrUnknownOptionIsAUsageError(List<String> path) {
    String[] args =
        Stream.concat(path.stream(), Stream.of("--no-such-option")).toArray(String[]::new);
    UsersCommandTest.Run run = UsersCommandTest.run("", args);
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("Usage: dropzone");
  }

  @org.junit.jupiter.api.Test
  void noCommandIsAUsageError() {
    UsersCommandTest.Run run = UsersCommandTest.run("");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("Missing command");
  }

  @org.junit.jupiter.api.Test
  void versionIsPrinted() {
    UsersCommandTest.Run run = UsersCommandTest.run("", "--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("dropzone ");
  }
}
