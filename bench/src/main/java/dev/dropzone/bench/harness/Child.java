package dev.dropzone.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the run (the S3 server or the gateway): started on the harness's classpath, spoken
 * to over its standard input and output, measured through {@code /proc}.
 */
public final class Child implements AutoCloseable {

  static final String LOGBACK = "logback-bench.xml";

  /** Linux reports utime and stime in clock ticks; 100 per second on every common kernel. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;
  private final int port;

  private Child(String name, Process process) throws IOException {
    this.name = name;
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    // The JVM itself may print first (JFR announces its recording on standard output).
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.startsWith("PORT "));
    if (line == null) {
      process.destroyForcibly();
      throw new IOException(name + " exited before it was ready; see its log");
    }
    this.port = Integer.parseInt(line.substring(5).trim());
  }

  public static Child start(
      String name, List<String> jvmOptions, Class<?> main, List<String> args, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Named apart from the gateway's logback.xml, which is on the same class path.
    command.add("-Dlogback.configurationFile=" + LOGBACK);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new Child(name, process);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Sends one command line and returns the child's one-line answer. */
  public String ask(String command) throws IOException {
    in.println(command);
    String answer = out.readLine();
    if (answer == null) {
      throw new IOException(name + " exited while answering " + command + "; see its log");
    }
    return answer;
  }

  /** User plus system CPU seconds the child has used so far. */
  public double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(fields[11]);
    long stime = Long.parseLong(fields[12]);
    return (utime + stime) / TICKS_PER_SECOND;
  }

  /** The child's CPU so far by kind of thread (compilers, collectors, the rest). */
  private ThreadCpu threadCpu() {
    return ThreadCpu.of(pid());
  }

  /** Starts counting the child's CPU by kind of thread; {@link CpuMeter#stop} reads it. */
  CpuMeter cpuMeter() throws IOException {
    return new CpuMeter(cpuSeconds(), threadCpu());
  }

  /** The child's CPU from {@link #cpuMeter} on. */
  final class CpuMeter {
    private final double total;
    private final ThreadCpu threads;

    private CpuMeter(double total, ThreadCpu threads) {
      this.total = total;
      this.threads = threads;
    }

    ThreadCpu.Split stop() throws IOException {
      double used = cpuSeconds() - total;
      return threadCpu().since(threads, used);
    }
  }

  /** Peak resident set size in bytes since start or the last {@link #resetPeakRss}. */
  long peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmHWM in /proc/" + pid() + "/status");
  }

  /** Resets the kernel's peak RSS of the child (writing 5 to clear_refs); false if refused. */
  boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid()), "clear_refs"), "5");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
