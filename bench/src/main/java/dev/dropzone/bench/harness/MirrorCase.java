package dev.dropzone.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Case 9: lftp {@code mirror -R} and {@code mirror} of many 64 KiB files through the gateway, one
 * session and {@code --parallel=4}, against PutObject and GetObject of the same files from as many
 * threads; the gateway's CPU per file and the S3 requests per file, counted by the S3 server.
 *
 * <p>Each run mirrors into a directory of its own (lftp would skip files a directory already has),
 * alternating the gateway and the direct calls so that a busy moment of the host hits both.
 */
final class MirrorCase {

  static final int[] PARALLELISM = {1, 4};
  static final long SIZE = 64 << 10;

  /** What the case needs of the run. */
  record Setup(
      Child gateway,
      Child s3Server,
      Lftp lftp,
      Supplier<DirectS3> direct,
      PatternSource source,
      Path work,
      int files,
      int runs) {}

  /** One direction at one parallelism, through the gateway and directly. */
  private static final class Series {
    final double[] gateway;
    final double[] direct;
    ThreadCpu.Split cpu = ThreadCpu.Split.ZERO;
    S3Requests gatewayRequests = new S3Requests(Map.of());
    S3Requests directRequests = new S3Requests(Map.of());

    Series(int runs) {
      gateway = new double[runs];
      direct = new double[runs];
    }

    double gatewayMedian() {
      return Bench.median(gateway);
    }

    double directMedian() {
      return Bench.median(direct);
    }
  }

  private final Setup setup;
  private final String expected;

  MirrorCase(Setup setup) throws IOException {
    this.setup = setup;
    this.expected = setup.source().sha256(SIZE);
  }

  /** Runs the case; the directories it leaves, remote and direct, are named "mirror-…". */
  List<Row> run() throws Exception {
    Path local = writeLocalFiles();
    Series[] up = {new Series(setup.runs()), new Series(setup.runs())};
    Series[] down = {new Series(setup.runs()), new Series(setup.runs())};
    // One unmeasured round compiles the per-file code of both paths.
    once(0, -1, new Series(1), new Series(1), local);
    for (int run = 0; run < setup.runs(); run++) {
      for (int p = 0; p < PARALLELISM.length; p++) {
        once(p, run, up[p], down[p], local);
        Bench.log(
            "mirror run %d, parallel %d: up %.0f vs %.0f files/s, down %.0f vs %.0f files/s",
            run + 1,
            PARALLELISM[p],
            up[p].gateway[run],
            up[p].direct[run],
            down[p].gateway[run],
            down[p].direct[run]);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < PARALLELISM.length; p++) {
      rows.add(rateRow("mirror -R", "PutObject", p, up[p]));
      rows.add(rateRow("mirror", "GetObject", p, down[p]));
    }
    rows.add(scalingRow("mirror -R", up));
    rows.add(scalingRow("mirror", down));
    rows.add(cpuRow("uploaded", up[0]));
    rows.add(cpuRow("downloaded", down[0]));
    for (int p = 0; p < PARALLELISM.length; p++) {
      rows.add(requestRow("mirror -R", "PutObject", p, up[p]));
      rows.add(requestRow("mirror", "GetObject", p, down[p]));
    }
    return rows;
  }

  /** Run {@code run} (or the warm-up, -1) at parallelism index {@code p}, up then down. */
  private void once(int p, int run, Series up, Series down, Path local) throws Exception {
    int parallel = PARALLELISM[p];
    int slot = Math.max(run, 0);
    String name = "mirror-p" + parallel + "-r" + (run + 1);
    String remote = "/" + name;
    Path back = setup.work().resolve(name);

    S3Requests before = S3Requests.of(setup.s3Server());
    Child gateway = setup.gateway();
    Child.CpuMeter meter = gateway.cpuMeter();
    up.gateway[slot] =
        setup.files() / Bench.seconds(() -> setup.lftp().mirrorUp(local, remote, parallel));
    ThreadCpu.Split upCpu = meter.stop();
    up.cpu = up.cpu.plus(upCpu);
    S3Requests after = S3Requests.of(setup.s3Server());
    up.gatewayRequests = after.since(before);

    up.direct[slot] =
        setup.files()
            / Bench.seconds(() -> direct(parallel, (d, i) -> d.upload(key(name, i), SIZE)));
    before = after;
    after = S3Requests.of(setup.s3Server());
    up.directRequests = after.since(before);

    before = after;
    meter = gateway.cpuMeter();
    down.gateway[slot] =
        setup.files() / Bench.seconds(() -> setup.lftp().mirrorDown(remote, back, parallel));
    ThreadCpu.Split downCpu = meter.stop();
    down.cpu = down.cpu.plus(downCpu);
    // Per run, so a longer run shows how far the compilers' share falls as the JIT settles.
    Bench.log(
        "mirror run %d, parallel %d: gateway CPU per file up %s, down %s",
        run + 1, parallel, upCpu.perFile(setup.files()), downCpu.perFile(setup.files()));
    after = S3Requests.of(setup.s3Server());
    down.gatewayRequests = after.since(before);
    verifyLocal(back);

    before = after;
    down.direct[slot] =
        setup.files()
            / Bench.seconds(
                () -> direct(parallel, (d, i) -> Bench.verify(expected, d.download(key(name, i)))));
    down.directRequests = S3Requests.of(setup.s3Server()).since(before);
  }

  private static String key(String dir, int i) {
    return String.format("%s/f%05d", dir, i);
  }

  /**
   * Every file through {@code parallel} threads, each with its own client, file i on thread i % n.
   */
  private void direct(int parallel, FileStep step) throws Exception {
    Bench.inParallel(
        parallel,
        t -> {
          try (DirectS3 d = setup.direct().get()) {
            for (int i = t; i < setup.files(); i += parallel) {
              step.run(d, i);
            }
          }
        });
  }

  @FunctionalInterface
  private interface FileStep {
    void run(DirectS3 direct, int index) throws Exception;
  }

  private Path writeLocalFiles() throws IOException {
    Path dir = Files.createDirectories(setup.work().resolve("mirror-source"));
    byte[] content;
    try (InputStream in = setup.source().open(SIZE)) {
      content = in.readAllBytes();
    }
    for (int i = 0; i < setup.files(); i++) {
      Files.write(dir.resolve(String.format("f%05d", i)), content);
    }
    return dir;
  }

  /** Every file arrived, each with the content sent; then the local copy goes. */
  private void verifyLocal(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.toList();
    }
    if (files.size() != setup.files()) {
      throw new IOException(
          "lftp mirror brought "
              + files.size()
              + " files into "
              + dir
              + ", expected "
              + setup.files());
    }
    for (Path file : files) {
      PatternSource.Sha256Sink sink = new PatternSource.Sha256Sink();
      try (InputStream in = Files.newInputStream(file)) {
        in.transferTo(sink);
      }
      Bench.verify(expected, sink.hex());
      Files.delete(file);
    }
    Files.delete(dir);
  }

  private Row rateRow(String command, String call, int p, Series series) {
    int parallel = PARALLELISM[p];
    double gateway = series.gatewayMedian();
    double direct = series.directMedian();
    return new Row(
        String.format(
            "9. lftp %s%s %d × 64 KiB%s (median of %d)",
            command,
            parallel == 1 ? "" : " --parallel=" + parallel,
            setup.files(),
            parallel == 1 ? ", one session" : "",
            setup.runs()),
        String.format("%.0f files/s", gateway),
        String.format(
            "%.0f files/s %s, %d thread%s", direct, call, parallel, parallel == 1 ? "" : "s"),
        Row.ratio(gateway, direct),
        "≥ 0.70",
        Row.verdict(gateway / direct >= 0.7));
  }

  /** --parallel=4 must scale at least as well as four threads of direct calls do. */
  private Row scalingRow(String command, Series[] series) {
    double gateway = series[1].gatewayMedian() / series[0].gatewayMedian();
    double direct = series[1].directMedian() / series[0].directMedian();
    return new Row(
        "9. lftp " + command + " speed-up, --parallel=4 over one session",
        String.format("×%.2f", gateway),
        String.format("×%.2f with 4 threads", direct),
        Row.ratio(gateway, direct),
        "≥ 1.00",
        Row.verdict(gateway >= direct));
  }

  private Row cpuRow(String direction, Series series) {
    double files = setup.files() * (double) setup.runs();
    double millis = series.cpu.total() * 1000 / files;
    return new Row(
        "9. gateway CPU per 64 KiB file " + direction + " (lftp, one session)",
        series.cpu.perFile(files),
        String.format("%.0f s per GiB", millis * (1 << 14) / 1000),
        "—",
        "≤ 1 ms",
        Row.verdict(millis <= 1.0));
  }

  /** The issue's target: one request per file on the hot path (per-session requests amortised). */
  private Row requestRow(String command, String call, int p, Series series) {
    int parallel = PARALLELISM[p];
    double perFile = (double) series.gatewayRequests.total() / setup.files();
    return new Row(
        "9. S3 requests per file, lftp "
            + command
            + (parallel == 1 ? "" : " --parallel=" + parallel),
        series.gatewayRequests.per(setup.files()),
        series.directRequests.per(setup.files()),
        Row.ratio(perFile, (double) series.directRequests.total() / setup.files()),
        "1 " + call + " (≤ 1.02)",
        Row.verdict(perFile <= 1.02));
  }

  String note() {
    return "Case 9 runs lftp "
        + "(set ftp:ssl-allow no, net:max-retries 1; otherwise its defaults) as a new process per"
        + " mirror, from and to local files it checks by SHA-256; its times include lftp's start"
        + " and login, about one per mirror. The direct calls run from the harness's memory with"
        + " a DirectS3 per thread on the run's SDK client. CPU per file is the gateway's user+system CPU over the"
        + " one-session mirrors; S3 requests are those of the last run, counted in the S3 server.";
  }
}
