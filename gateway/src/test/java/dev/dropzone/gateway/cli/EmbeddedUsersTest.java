package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code embedded --user NAME}: the password comes from standard input, a file or an environment
 * variable, never from the command line (where {@code ps} shows it to everyone); the old {@code
 * NAME:PASSWORD} form still works, with a warning.
 */
class EmbeddedUsersTest {

  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  @Test
  void passwordsComeFromAFileAnEnvironmentVariableAndStandardInputInOrder() throws Exception {
    Path file = Files.writeString(dir.resolve("carol.password"), "carol-from-a-file\n");
    Map<String, char[]> users =
        users(
            "alice-from-stdin\r\nbob-from-stdin\n",
            Map.of("DAVE_PASSWORD", "dave-from-the-environment"),
            "--user",
            "alice",
            "--password-stdin",
            "--user",
            "carol",
            "--password-file",
            file.toString(),
            "--user",
            "bob",
            "--password-stdin",
            "--user",
            "dave",
            "--password-env",
            "DAVE_PASSWORD");

    assertThat(users.keySet()).containsExactly("alice", "carol", "bob", "dave");
    assertThat(users.get("alice")).isEqualTo("alice-from-stdin".toCharArray());
    assertThat(users.get("bob")).isEqualTo("bob-from-stdin".toCharArray());
    assertThat(users.get("carol")).isEqualTo("carol-from-a-file".toCharArray());
    assertThat(users.get("dave")).isEqualTo("dave-from-the-environment".toCharArray());
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void theOldFormStillWorksButWarnsThatEveryoneCanReadIt() throws Exception {
    Map<String, char[]> users = users("", Map.of(), "--user", "alice:on-the-command-line");

    assertThat(users.get("alice")).isEqualTo("on-the-command-line".toCharArray());
    assertThat(err.toString())
        .contains("Warning: --user alice:… puts the password on the command line")
        .contains("ps")
        .contains("--password-stdin, --password-file FILE or --password-env VARIABLE")
        .doesNotContain("on-the-command-line");
  }

  @Test
  void withoutASourceAndWithoutATerminalTheErrorSaysWhatToAdd() {
    assertThatThrownBy(() -> users("", Map.of(), "--user", "alice"))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("no terminal to read the password from")
        .hasMessageContaining("--password-stdin, --password-file FILE or --password-env VARIABLE");
  }

  @Test
  void anUnsetVariableAMissingFileOrAShortPasswordIsAUsageError() {
    assertThatThrownBy(() -> users("", Map.of(), "--user", "alice", "--password-env", "NOPE"))
        .isInstanceOf(CommandFailure.class)
        .hasMessage("the environment variable NOPE (alice's password) is not set or empty");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () -> users("", Map.of(), "--user", "alice", "--password-file", missing.toString()))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("cannot read alice's password file " + missing);
    assertThatThrownBy(() -> users("short\n", Map.of(), "--user", "alice", "--password-stdin"))
        .isInstanceOf(CommandFailure.class)
        .hasMessage("alice's password (from standard input) must be at least 8 characters long");
  }

  @Test
  void aUserTwiceOrAPasswordGivenTwiceIsRefused() {
    assertThatThrownBy(
            () ->
                users(
                    "first-password\nsecond-password\n",
                    Map.of(),
                    "--user",
                    "alice",
                    "--password-stdin",
                    "--user",
                    "alice",
                    "--password-stdin"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--user alice is given twice");
    assertThatThrownBy(
            () -> users("", Map.of("P", "long-enough"), "--user", "alice:x", "--password-env", "P"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("already holds the password");
  }

  @Test
  void twoPasswordSourcesForOneUserAreRefusedByTheParser() {
    CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]));
    assertThatThrownBy(
            () ->
                cli.parseArgs(
                    "embedded", "--user", "alice", "--password-stdin", "--password-env", "X"))
        .isInstanceOf(CommandLine.ParameterException.class);
  }

  private Map<String, char[]> users(String stdin, Map<String, String> env, String... arguments) {
    CommandLine cli =
        Main.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    CommandLine.ParseResult parsed =
        cli.parseArgs(
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("embedded"), java.util.Arrays.stream(arguments))
                .toArray(String[]::new));
    CommandLine embedded = parsed.subcommand().commandSpec().commandLine();
    embedded.setErr(new PrintWriter(err, true));
    EmbeddedCommand command = embedded.getCommand();
    return command.users(env::get);
  }
}
