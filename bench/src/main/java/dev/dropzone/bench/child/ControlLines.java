package dev.dropzone.bench.child;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * The line protocol between the harness and a child JVM: each line on standard input is a command,
 * answered by one line on standard output; end of input means stop.
 */
final class ControlLines {

  private ControlLines() {}

  static void awaitEnd(BufferedReader in, UnaryOperator<String> answer) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      System.out.println(answer.apply(line.trim()));
      System.out.flush();
    }
  }
}
