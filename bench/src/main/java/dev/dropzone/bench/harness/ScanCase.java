package dev.dropzone.bench.harness;

import dev.dropzone.gateway.scan.ClamdFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Case 8: the same uploads through a second gateway that has every upload scanned by a real clamd
 * and through the run's unscanned gateway, on the same S3 server, alternating: large files (median
 * of the runs) and a series of 64 KiB files. clamd runs with the tests' database (one body
 * signature, one YARA rule, nothing downloaded) and its temporary directory in {@code /dev/shm}, as
 * the README advises; with the official databases clamd's scan takes longer.
 */
final class ScanCase {

  static final int SMALL_FILES = 200;
  private static final int WARM_UP_ROUNDS = 3;
  private static final long SMALL = 64 << 10;
  private static final double MIB = 1 << 20;
  private static final double GIB = 1 << 30;
  private static final String[] LARGE = {"/scan-warm-up.bin", "/scan-plain.bin", "/scan.bin"};

  private final Sizes sizes;
  private final Path work;
  private final long size;

  ScanCase(Sizes sizes, Path work) {
    this.sizes = sizes;
    this.work = work;
    this.size = (long) sizes.scanMib() << 20;
  }

  /** clamd, with a StreamMaxLength that takes the large file whole. */
  Clamd startClamd() throws Exception {
    Path shm = Path.of("/dev/shm");
    Path dir =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "dropzone-bench-clamd")
            : Files.createDirectories(work.resolve("clamd"));
    long limit = size + (1 << 20);
    return new Clamd(ClamdFixture.start(dir, limit), dir, limit);
  }

  /** The rows of the case: scanned against unscanned uploads. */
  List<Row> run(GatewayFtp plain, Child plainGateway, GatewayFtp scanned, Child scanningGateway)
      throws Exception {
    // The scanning gateway starts fresh while the plain one has served other cases: without a few
    // rounds each, the compilers' work on the scanning gateway was counted as scanning's CPU.
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      plain.upload(LARGE[0], size);
      scanned.upload(LARGE[0], size);
    }
    double[] up = new double[sizes.runs()];
    double[] upScanned = new double[sizes.runs()];
    double cpu = 0;
    double cpuScanned = 0;
    for (int run = 0; run < sizes.runs(); run++) {
      double before = plainGateway.cpuSeconds();
      up[run] = size / MIB / Bench.seconds(() -> plain.upload(LARGE[1], size));
      cpu += plainGateway.cpuSeconds() - before;
      before = scanningGateway.cpuSeconds();
      upScanned[run] = size / MIB / Bench.seconds(() -> scanned.upload(LARGE[2], size));
      cpuScanned += scanningGateway.cpuSeconds() - before;
      Bench.log("scan run %d: %.1f MiB/s scanned, %.1f not", run + 1, upScanned[run], up[run]);
    }
    double small = SMALL_FILES / Bench.seconds(() -> smallFiles(plain));
    double smallScanned = SMALL_FILES / Bench.seconds(() -> smallFiles(scanned));
    double gib = size * sizes.runs() / GIB;
    List<Row> rows = new ArrayList<>();
    double u = Bench.median(up);
    double us = Bench.median(upScanned);
    rows.add(
        new Row(
            "8. "
                + sizes.scanMib()
                + " MiB upload scanned by clamd (median of "
                + sizes.runs()
                + ")",
            Row.mibPerSecond(us),
            Row.mibPerSecond(u) + " not scanned",
            Row.ratio(us, u),
            "(reference)",
            "—"));
    rows.add(
        new Row(
            "8. gateway CPU s per GiB uploaded, scanned",
            String.format("%.2f s", cpuScanned / gib),
            String.format("%.2f s not scanned", cpu / gib),
            Row.ratio(cpuScanned, cpu),
            "(reference)",
            "—"));
    rows.add(
        new Row(
            "8. " + SMALL_FILES + " × 64 KiB uploads scanned, one session",
            String.format("%.1f files/s", smallScanned),
            String.format("%.1f files/s not scanned", small),
            Row.ratio(smallScanned, small),
            "(reference)",
            "—"));
    return rows;
  }

  private static void smallFiles(GatewayFtp ftp) throws IOException {
    for (int i = 0; i < SMALL_FILES; i++) {
      ftp.upload(smallName(i), SMALL);
    }
  }

  private static String smallName(int i) {
    return String.format("/scan-small-%04d", i);
  }

  /** Every object key the case writes under {@code home}. */
  static String[] keys(String home) {
    List<String> keys = new ArrayList<>();
    for (String name : LARGE) {
      keys.add(home + name);
    }
    for (int i = 0; i < SMALL_FILES; i++) {
      keys.add(home + smallName(i));
    }
    return keys.toArray(String[]::new);
  }

  String note() {
    return "Case 8 runs a second gateway (same settings, plus scanning: fail closed, scan.maxSize "
        + "above the file size) against clamd "
        + "with a two-signature database (no official signatures), its temporary directory in "
        + "/dev/shm. The scanned time includes clamd's verdict after the last byte; the gateway "
        + "CPU excludes clamd's own. Both gateways upload the large file "
        + WARM_UP_ROUNDS
        + " times unmeasured first.";
  }

  /** A running clamd and the arguments that make a gateway child scan with it. */
  record Clamd(ClamdFixture fixture, Path dir, long maxSize) implements AutoCloseable {

    List<String> gatewayArgs() {
      return List.of(fixture.tcp().toString(), Long.toString(maxSize));
    }

    @Override
    public void close() throws Exception {
      fixture.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
