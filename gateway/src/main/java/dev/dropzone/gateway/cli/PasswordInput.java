package dev.dropzone.gateway.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a new password without it ever being a command-line argument (visible in {@code ps} and
 * shell history): from the terminal without echo, or as the first line of standard input.
 */
final class PasswordInput {

  static final int MIN_LENGTH = 8;

  private PasswordInput() {}

  static char[] read(boolean fromStdin, InputStream in) {
    char[] password = fromStdin ? firstLine(in) : fromConsole();
    if (password.length < MIN_LENGTH) {
      Arrays.fill(password, '\0');
      throw new CommandFailure(
          Main.USAGE, "the password must be at least " + MIN_LENGTH + " characters long");
    }
    return password;
  }

  private static char[] fromConsole() {
    Console console = System.console();
    if (console == null) {
      throw new CommandFailure(
          Main.USAGE, "no terminal to read the password from; pipe it in and add --password-stdin");
    }
    char[] first = console.readPassword("New password: ");
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
