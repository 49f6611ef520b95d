package dev.dropzone.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The machine and the versions a run measured, so its numbers can be compared later. */
public final class Machine {

  private static final List<String> LIBRARIES =
      List.of(
          "tink",
          "s3",
          "ftpserver-core",
          "mina-core",
          "s3proxy",
          "caffeine",
          "commons-net",
          "jmh-core");

  private Machine() {}

  public static List<String> describe() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(
        "CPU: "
            + firstValue(Path.of("/proc/cpuinfo"), "model name")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores available");
    lines.add("Memory: " + firstValue(Path.of("/proc/meminfo"), "MemTotal"));
    lines.add(
        "Java: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    lines.add("Libraries: " + String.join(", ", libraryVersions()));
    return lines;
  }

  /**
   * The 1-, 5- and 15-minute load averages: the machine is shared, and a run under load is slower
   * on every path (ratios measured in one run are the figures to compare).
   */
  public static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
    return fields[0] + ", " + fields[1] + ", " + fields[2];
  }

  private static String firstValue(Path file, String key) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(line -> line.startsWith(key))
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .findFirst()
        .orElse("unknown");
  }

  /** Versions read from the jar names on the classpath, which Maven resolved for this build. */
  private static List<String> libraryVersions() {
    List<String> versions = new ArrayList<>();
    String[] entries = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
    for (String library : LIBRARIES) {
      Pattern jar = Pattern.compile("/" + Pattern.quote(library) + "-(\\d[^/]*)\\.jar$");
      for (String entry : entries) {
        Matcher m = jar.matcher(entry);
        if (m.find()) {
          versions.add((library.equals("s3") ? "aws-sdk-s3" : library) + " " + m.group(1));
          break;
        }
      }
    }
    return versions;
  }
}
