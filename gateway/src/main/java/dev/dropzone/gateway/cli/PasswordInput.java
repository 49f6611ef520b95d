package dev.dropzone.gateway.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Reads a new password without it ever being a command-line argument (visible in {@code ps} and
 * shell history): from the terminal without echo, a line of standard input, the first line of a
 * file, or an environment variable.
 */
final class PasswordInput {

  static final int MIN_LENGTH = 8;

  private PasswordInput() {}

  static char[] read(boolean fromStdin, InputStream in) {
    return checked(
        fromStdin
            ? firstLine(in)
            : fromConsole("New password: ", "pipe it in and add --password-stdin"),
        "the password");
  }

  /** Asks for {@code user}'s password at the terminal (twice, without echo). */
  static char[] fromTerminal(String user) {
    return checked(
        fromConsole(
            "Password for " + user + ": ",
            "add --password-stdin, --password-file FILE or --password-env VARIABLE after --user "
                + user),
        user + "'s password");
  }

  /** The next line of {@code in}, as {@code user}'s password. */
  static char[] fromStdin(String user, InputStream in) {
    return checked(firstLine(in), user + "'s password (from standard input)");
  }

  /** The first line of {@code file}, as {@code user}'s password. */
  static char[] fromFile(String user, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return checked(firstLine(in), user + "'s password (from " + file + ")");
    } catch (IOException e) {
      throw new CommandFailure(
          Main.USAGE, "cannot read " + user + "'s password file " + file + ": " + e.getMessage());
    }
  }

  /** The value of the environment variable {@code name}, as {@code user}'s password. */
  static char[] fromEnvironment(String user, String name, Function<String, String> environment) {
    String value = environment.apply(name);
    if (value == null || value.isEmpty()) {
      throw new CommandFailure(
          Main.USAGE,
          "the environment variable " + name + " (" + user + "'s password) is not set or empty");
    }
    return checked(value.toCharArray(), user + "'s password (from $" + name + ")");
  }

  private static char[] checked(char[] password, String what) {
    if (password.length < MIN_LENGTH) {
      Arrays.fill(password, '\0');
      throw new CommandFailure(
          Main.USAGE, what + " must be at least " + MIN_LENGTH + " characters long");
    }
    return password;
  }

  private static char[] fromConsole(String prompt, String instead) {
    Console console = System.console();
    if (console == null) {
      throw new CommandFailure(Main.USAGE, "no terminal to read the password from; " + instead);
    }
    char[] first = console.readPassword(prompt);
    char[] second = console.readPassword("Repeat password: ");
    if (first == null || second == null || !Arrays.equals(first, second)) {
      throw new CommandFailure(Main.USAGE, "the passwords do not match; nothing was changed");
    }
    Arrays.fill(second, '\0');
    return first;
  }

  private static char[] firstLine(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
        line.write(b);
      }
    } catch (IOException e) {
      throw new CommandFailure(Main.FAILED, "cannot read the password from standard input", e);
    }
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, length));
    char[] password = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
    Arrays.fill(bytes, (byte) 0);
    Arrays.fill(chars.array(), '\0');
    return password;
  }
}
