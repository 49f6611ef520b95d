package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
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

class UsersCommandTest {

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  static Run run(String stdin, String... args) {
    return run(System.getenv(), stdin, args);
  }

  /** The command line with {@code env} as its environment. */
  static Run run(Map<String, String> env, String stdin, String... args) {
    CommandLine cli =
        Main.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void addPasswdRemoveThroughTheCommandLine() throws Exception {
    String file = dir.resolve("users.yaml").toString();
    FileAuthenticator auth = new FileAuthenticator(new UsersFile(Path.of(file)));

    Run add =
        run(
            "s3cret-passw0rd\n",
            "users",
            "add",
            "--file",
            file,
            "--password-stdin",
            "--permissions",
            "list,read",
            "alice");
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out()).contains("Added user alice (home users/alice)");
    String text = Files.readString(Path.of(file));
    assertThat(text).contains("$argon2id$").doesNotContain("s3cret-passw0rd");
    assertThat(auth.authenticate("alice", "s3cret-passw0rd".toCharArray()))
        .hasValueSatisfying(
            a ->
                assertThat(a.permissions())
                    .containsExactlyInAnyOrder(Permission.LIST, Permission.READ));

    Run passwd =
        run("an0ther-passw0rd\r\n", "users", "passwd", "-f", file, "--password-stdin", "alice");
    assertThat(passwd.exitCode()).as(passwd.err()).isZero();
    assertThat(auth.authenticate("alice", "s3cret-passw0rd".toCharArray())).isEmpty();
    assertThat(auth.authenticate("alice", "an0ther-passw0rd".toCharArray())).isPresent();
    assertThat(new UsersFile(Path.of(file)).find("alice").map(UserEntry::permissions))
        .hasValueSatisfying(
            p -> assertThat(p).containsExactlyInAnyOrder(Permission.LIST, Permission.READ));

    Run list = run("", "users", "list", "-f", file);
    assertThat(list.out()).contains("alice\tusers/alice\t[list, read]").doesNotContain("argon2");

    Run remove = run("", "users", "remove", "-f", file, "alice");
    assertThat(remove.exitCode()).isZero();
    assertThat(auth.authenticate("alice", "an0ther-passw0rd".toCharArray())).isEmpty();
  }

  @Test
  void addSetsSessionLimitAndQuotaAndListShowsThem() throws Exception {
    String file = dir.resolve("users.yaml").toString();

    Run add =
        run(
            "s3cret-passw0rd\n",
            "users",
            "add",
            "-f",
            file,
            "--password-stdin",
            "--max-sessions",
            "2",
            "--quota-bytes",
            "5MiB",
            "--quota-files",
            "100",
            "partner");
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(new UsersFile(Path.of(file)).find("partner").orElseThrow().toAccount().limits())
        .isEqualTo(new AccountLimits(2, 5L << 20, 100));
    assertThat(run("", "users", "list", "-f", file).out())
        .contains("\tmaxSessions=2\tquotaBytes=5242880\tquotaFiles=100");

    Run bad =
        run(
            "s3cret-passw0rd\n",
            "users",
            "add",
            "-f",
            file,
            "--password-stdin",
            "--quota-bytes",
            "lots",
            "other");
    assertThat(bad.exitCode()).isEqualTo(Main.USAGE);
    assertThat(bad.err()).contains("'lots' is not a size");
  }

  @Test
  void mistakesAreUsageErrorsWithAClearMessage() {
    String file = dir.resolve("users.yaml").toString();

    Run shortPassword = run("short\n", "users", "add", "-f", file, "--password-stdin", "bob");
    assertThat(shortPassword.exitCode()).isEqualTo(Main.USAGE);
    assertThat(shortPassword.err()).contains("at least 8 characters");

    Run badName = run("long enough\n", "users", "add", "-f", file, "--password-stdin", "../x");
    assertThat(badName.exitCode()).as(badName.err()).isEqualTo(Main.USAGE);
    assertThat(badName.err()).contains("user name '../x' is not valid");

    Run unknown = run("long enough\n", "users", "passwd", "-f", file, "--password-stdin", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(Main.USAGE);
    assertThat(unknown.err()).contains("no user 'nobody'");

    Run twice = run("long enough\n", "users", "add", "-f", file, "--password-stdin", "carol");
    assertThat(twice.exitCode()).isZero();
    Run again = run("long enough\n", "users", "add", "-f", file, "--password-stdin", "carol");
    assertThat(again.exitCode()).isEqualTo(Main.USAGE);
    assertThat(again.err()).contains("already exists");

    Run passwordArgument = run("", "users", "add", "-f", file, "--password", "x", "dave");
    assertThat(passwordArgument.exitCode()).isEqualTo(Main.USAGE);
    assertThat(passwordArgument.err()).contains("Unknown options: '--password'");
  }

  @Test
  void aBrokenOrUnreadableUsersFileIsOneClearLineNotAStackTrace() throws Exception {
    Path file = dir.resolve("users.yaml");
    Files.writeString(file, "users:\n  - name: x\n    passwordHash: secret\n");

    Run invalid = run("", "users", "list", "-f", file.toString());
    Run directory = run("", "users", "list", "-f", dir.toString());

    assertThat(invalid.exitCode()).isEqualTo(Main.USAGE);
    assertThat(invalid.err())
        .startsWith("Error: users file " + file)
        .contains("passwordHash is not an Argon2id")
        .doesNotContain("\tat ");
    assertThat(directory.exitCode()).isEqualTo(Main.FAILED);
    assertThat(directory.err())
        .startsWith("Error: cannot read users file " + dir)
        .doesNotContain("\tat ");
  }
}
