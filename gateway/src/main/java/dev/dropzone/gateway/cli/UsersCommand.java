package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dropzone users add|passwd|remove|list}: edits the users file. */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Manage the users file (password hashes are Argon2id).",
    subcommands = {
      UsersCommand.Add.class,
      UsersCommand.Passwd.class,
      UsersCommand.Remove.class,
      UsersCommand.ListUsers.class
    })
final class UsersCommand implements Runnable {

  @Spec CommandSpec spec;
  @ParentCommand Main main;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "Missing command: choose one of add, passwd, remove, list");
  }

  /** Options every users subcommand shares. */
  static final class FileOption {
    @Option(
        names = {"-f", "--file"},
        description = "The users file.",
        defaultValue = "users.yaml")
    Path file;
  }

  /** How a new password is read. */
  static final class PasswordOption {
    @Option(
        names = "--password-stdin",
        description =
            "Read the password from the first line of standard input instead of the terminal.",
        defaultValue = "false",
        showDefaultValue = Visibility.ALWAYS)
    boolean stdin;
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Add a user (the password is asked for, never given as an argument).")
  static final class Add implements Callable<Integer> {
    @ParentCommand UsersCommand users;
    @Spec CommandSpec spec;
    @Mixin FileOption file;
    @Mixin PasswordOption password;

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "Login name: letters, digits, . _ -")
    String name;

    @Option(
        names = "--home",
        description =
            "Key path of the user's files under the store prefix. Default: users/NAME (the"
                + " login name).",
        defaultValue = "",
        showDefaultValue = Visibility.NEVER)
    String home;

    @Option(
        names = "--permissions",
        split = ",",
        description = "Comma-separated subset of: ${COMPLETION-CANDIDATES}.",
        defaultValue = "LIST,READ,WRITE,DELETE,MKDIR,RENAME")
    Set<Permission> permissions;

    @Option(
        names = "--read-only",
        description = "Only list and read, whatever --permissions says.",
        defaultValue = "false",
        showDefaultValue = Visibility.ALWAYS)
    boolean readOnly;

    @Override
    public Integer call() throws IOException {
      checkName(name);
      UsersFile target = new UsersFile(file.file);
      if (target.find(name).isPresent()) {
        throw new CommandFailure(
            Main.USAGE,
            "user '" + name + "' already exists in " + target.path() + "; use 'users passwd'");
      }
      char[] secret = PasswordInput.read(password.stdin, users.main.in());
      try {
        UserEntry entry =
            new UserEntry(
                name,
                PasswordHashes.hash(secret),
                home.isBlank() ? null : home,
                EnumSet.copyOf(permissions),
                readOnly);
        target.put(entry);
        out(spec)
            .println("Added user " + name + " (home " + entry.home() + ") to " + target.path());
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(Main.USAGE, e.getMessage(), e);
      } finally {
        Arrays.fill(secret, '\0');
      }
      return Main.OK;
    }
  }

  @Command(
      name = "passwd",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Set a user's password.")
  static final class Passwd implements Callable<Integer> {
    @ParentCommand UsersCommand users;
    @Spec CommandSpec spec;
    @Mixin FileOption file;
    @Mixin PasswordOption password;

    @Parameters(index = "0", paramLabel = "NAME", description = "Existing user.")
    String name;

    @Override
    public Integer call() throws IOException {
      UsersFile target = new UsersFile(file.file);
      UserEntry existing = existing(target, name);
      char[] secret = PasswordInput.read(password.stdin, users.main.in());
      try {
        target.put(existing.withPasswordHash(PasswordHashes.hash(secret)));
      } finally {
        Arrays.fill(secret, '\0');
      }
      out(spec).println("Changed the password of " + name + " in " + target.path());
      return Main.OK;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Remove a user (their files stay in the store).")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin FileOption file;

    @Parameters(index = "0", paramLabel = "NAME", description = "Existing user.")
    String name;

    @Override
    public Integer call() throws IOException {
      UsersFile target = new UsersFile(file.file);
      existing(target, name);
      target.remove(name);
      out(spec).println("Removed user " + name + " from " + target.path());
      return Main.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "List users with their home and permissions (never their hashes).")
  static final class ListUsers implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin FileOption file;

    @Override
    public Integer call() throws IOException {
      for (UserEntry user : new UsersFile(file.file).read()) {
        out(spec)
            .println(
                user.name()
                    + "\t"
                    + user.home()
                    + "\t"
                    + user.toAccount().permissions().stream()
                        .sorted()
                        .map(p -> p.name().toLowerCase(java.util.Locale.ROOT))
                        .toList());
      }
      return Main.OK;
    }
  }

  private static UserEntry existing(UsersFile file, String name) throws IOException {
    checkName(name);
    Optional<UserEntry> user = file.find(name);
    if (user.isEmpty()) {
      throw new CommandFailure(
          Main.USAGE, "no user '" + name + "' in " + file.path() + "; use 'users add'");
    }
    return user.get();
  }

  private static void checkName(String name) {
    if (!UserEntry.isValidName(name)) {
      throw new CommandFailure(
          Main.USAGE,
          "user name '" + name + "' is not valid: use 1-64 letters, digits, '.', '_' or '-'");
    }
  }

  private static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }
}
