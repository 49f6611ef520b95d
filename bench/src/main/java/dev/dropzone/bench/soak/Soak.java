package dev.dropzone.bench.soak;

import dev.dropzone.bench.child.S3ServerMain;
import dev.dropzone.bench.child.SoakGatewayMain;
import dev.dropzone.bench.harness.Child;
import dev.dropzone.bench.harness.Machine;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.FaultyTcpProxy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The soak run: a gateway started as {@code serve} starts it, in its own JVM, in front of an S3
 * server it reaches through a proxy that pauses and resets it; well-behaved clients upload,
 * download, list and rename for the run's minutes while misbehaving ones open and abandon sessions.
 * At the end every stored byte is downloaded and checked against what the clients were told, and
 * the gateway must hold no passive port, no orphaned multipart upload, no more threads and no more
 * live heap than before the load. Prints a summary and writes it to the results directory.
 *
 * <p>Arguments: work directory (keyset, users file, logs), results directory, source revision.
 * Sizes through {@code -Dsoak.*} (see {@link SoakSettings}).
 */
public final class Soak {

  private static final String BUCKET = "soak";
  private static final String RUDE_USER = "soak-rude";
  private static final Pattern STATS =
      Pattern.compile("threads=(\\d+) liveHeap=(\\d+) byName=(.*)");
  private static final double MIB = 1 << 20;

  /** Threads the gateway may have beyond its baseline at the end: idle pool threads expire. */
  private static final int THREAD_SLACK = 4;

  /** Live heap the gateway may have beyond its baseline: a quarter of it, at least 16 MiB. */
  private static final long HEAP_SLACK_MIN = 16L << 20;

  private final SoakSettings settings = SoakSettings.fromSystemProperties();
  private final Path work;
  private final String password = Long.toHexString(new java.security.SecureRandom().nextLong());
  private final Tally tally = new Tally();
  private final List<String> checks = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private boolean failed;

  private Soak(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Soak soak = new Soak(Path.of(args[0]));
    String revision = args[2];
    String report = soak.run(revision);
    System.out.println();
    System.out.print(report);
    Path results = Path.of(args[1]);
    Files.createDirectories(results);
    Files.writeString(results.resolve("soak-" + LocalDate.now() + "-" + revision + ".md"), report);
    Files.writeString(results.resolve("soak-latest.md"), report);
    System.exit(soak.failed ? 1 : 0);
  }

  private String run(String revision) throws Exception {
    PortRange passive = PortRange.findFree(settings.passivePorts());
    List<String> users = new ArrayList<>();
    for (int i = 0; i < settings.clients(); i++) {
      users.add("soak-" + i);
    }
    List<String> gatewayArgs = new ArrayList<>();
    long started;
    long ended;
    String faultSummary;
    try (Child s3Server =
            Child.start(
                "S3 server",
                // In memory: 4 GiB ran out in two of three 10-minute runs, and the server then
                // answers completions it did not do.
                List.of("-Xmx8g"),
                S3ServerMain.class,
                List.of(BUCKET),
                work.resolve("s3-server.log"));
        FaultyTcpProxy proxy = FaultyTcpProxy.start(s3Server.port());
        S3Client raw = S3Clients.create(direct(s3Server.port()))) {
      gatewayArgs.addAll(
          List.of(
              work.toString(), proxy.endpoint().toString(), BUCKET, passive.setting(), password));
      gatewayArgs.addAll(users);
      gatewayArgs.add(RUDE_USER);
      gatewayArgs.add("--");
      gatewayArgs.addAll(gatewayOverrides());
      try (Child gateway =
          Child.start(
              "gateway",
              List.of("-Xmx256m"),
              SoakGatewayMain.class,
              gatewayArgs,
              work.resolve("gateway.log"))) {
        int port = gateway.port();
        warmUp(port, users);
        Stats baseline = stats(gateway);
        started = System.nanoTime();
        long end = started + settings.duration().toNanos();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
          Worker worker =
              new Worker(
                  port,
                  users.get(i),
                  password,
                  settings.maxFileMib() << 20,
                  end,
                  tally,
                  settings.seed() + i);
          workers.add(worker);
          threads.add(new Thread(worker, "soak-client-" + i));
        }
        threads.addAll(
            new Misbehaviour(port, RUDE_USER, password, end, tally)
                .threads(settings.idleConnections(), settings.seed() + 1000));
        StorageFaults faults = new StorageFaults(proxy, settings, end);
        Thread faultThread = new Thread(faults, "soak-faults");
        faultThread.setDaemon(true);
        threads.forEach(Thread::start);
        faultThread.start();
        Sampler sampler = sample(gateway, passive, threads);
        for (Thread thread : threads) {
          thread.join(settings.duration().plus(Worker.PATIENCE.multipliedBy(3)).toMillis());
          if (thread.isAlive()) {
            check(false, thread.getName() + " ended", "still running long after the end");
            thread.interrupt();
          }
        }
        faultThread.interrupt();
        faultThread.join(60_000);
        proxy.resume();
        ended = System.nanoTime();
        faultSummary = faults.summary() + serverFailures();
        finalChecks(gateway, port, passive, raw, workers, baseline, sampler);
      }
    }
    return report(revision, passive, faultSummary, Duration.ofNanos(ended - started));
  }

  /** The soak's settings over the gateway's defaults. */
  private List<String> gatewayOverrides() {
    return List.of(
        "s3.commandDeadline=" + settings.commandDeadline().toSeconds() + "s",
        // Everything comes from 127.0.0.1: the per-address limit would count all clients as one.
        "ftp.maxConnectionsPerIp=" + (settings.clients() + settings.idleConnections() + 32),
        "ftp.maxPreLoginConnectionsPerIp=" + (settings.clients() + settings.idleConnections() + 8),
        "ftp.loginTimeout=20s",
        // The start-up memory check fits 61 transfers in -Xmx256m with 8 MiB parts, not the
        // default 64; the clients here never run more than a few dozen at once.
        "ftp.maxTransfers=32",
        "uploads.staleUploadAge=2m",
        "uploads.sweepInterval=1m");
  }

  private static S3Settings direct(int port) {
    return S3Settings.of(
        java.net.URI.create("http://127.0.0.1:" + port),
        S3ServerMain.REGION,
        S3ServerMain.ACCESS_KEY,
        S3ServerMain.SECRET_KEY,
        BUCKET,
        "");
  }

  /** Each user once through the whole path, so the baseline has every lazily made thing made. */
  private void warmUp(int port, List<String> users) throws IOException {
    byte[] data = new byte[1 << 20];
    for (String user : users) {
      FTPClient ftp = Worker.connect(port, user, password, new Tally());
      if (ftp == null) {
        throw new IOException(user + " cannot log in to the gateway; see gateway.log");
      }
      ftp.storeFile("/warm-up.bin", new ByteArrayInputStream(data));
      ftp.retrieveFile("/warm-up.bin", java.io.OutputStream.nullOutputStream());
      ftp.listNames("/");
      ftp.deleteFile("/warm-up.bin");
      ftp.logout();
      ftp.disconnect();
    }
  }

  private record Stats(int threads, long liveHeap, String byName) {}

  private static Stats stats(Child gateway) throws IOException {
    String answer = gateway.ask("stats");
    Matcher m = STATS.matcher(answer);
    if (!m.find()) {
      throw new IOException("unexpected answer from the gateway: " + answer);
    }
    return new Stats(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
  }

  /** Peaks seen while the load runs: passive listeners and gateway threads. */
  private static final class Sampler {
    final AtomicLong listeners = new AtomicLong();
    final AtomicLong threads = new AtomicLong();
  }

  private Sampler sample(Child gateway, PortRange passive, List<Thread> load) {
    Sampler sampler = new Sampler();
    Thread thread =
        new Thread(
            () -> {
              while (load.stream().anyMatch(Thread::isAlive)) {
                try {
                  sampler.listeners.accumulateAndGet(passive.listening(), Math::max);
                  sampler.threads.accumulateAndGet(stats(gateway).threads(), Math::max);
                  Thread.sleep(10_000);
                } catch (IOException e) {
                  return;
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "soak-sampler");
    thread.setDaemon(true);
    thread.start();
    return sampler;
  }

  private void finalChecks(
      Child gateway,
      int port,
      PortRange passive,
      S3Client raw,
      List<Worker> workers,
      Stats baseline,
      Sampler sampler)
      throws Exception {
    long files = 0;
    for (Worker worker : workers) {
      try {
        worker.verifyEverything();
      } catch (IOException e) {
        tally.violation("final check could not read everything: " + e.getMessage());
      }
      files += worker.certainFiles();
    }
    check(
        tally.violationCount() == 0,
        "every stored byte verified, nothing lost, no listing or download contradicted a reply",
        String.format(
            "%d files confirmed stored at the end, %.0f MiB downloaded and checked during and"
                + " after the run; %d violations",
            files, mib(tally.bytesVerified()), tally.violationCount()));
    check(
        killedUploadsStored(port) == 0,
        "no killed upload stored",
        "/" + Misbehaviour.KILLED_DIR + " holds " + killedUploadsStored(port) + " files");
    boolean noPending = waitFor(Duration.ofSeconds(90), () -> pendingUploads(raw) == 0);
    check(
        noPending,
        "no multipart upload left pending (within 90 s)",
        pendingUploads(raw) + " pending");
    boolean noListeners = waitFor(Duration.ofSeconds(60), () -> listening(passive) == 0);
    check(
        noListeners,
        "no passive port left listening once the sessions ended (within 60 s)",
        listening(passive)
            + " of "
            + passive.size()
            + " listening at the end, at most "
            + sampler.listeners.get()
            + " seen during the run");
    int rangeChecks = passive.size() * 2;
    int rangeOk = rangeStillWhole(port, rangeChecks);
    check(
        rangeOk == rangeChecks,
        "the passive range is whole: " + rangeChecks + " transfers in a row after the run",
        rangeOk + " of " + rangeChecks + " succeeded");
    boolean threadsBack =
        waitFor(
            Duration.ofSeconds(120),
            () -> stats(gateway).threads() <= baseline.threads() + THREAD_SLACK);
    Stats end = stats(gateway);
    check(
        threadsBack,
        "gateway threads back to the baseline (+" + THREAD_SLACK + ", within 120 s)",
        "baseline "
            + baseline.threads()
            + ", peak sampled "
            + sampler.threads.get()
            + ", end "
            + end.threads());
    if (!threadsBack) {
      notes.add("Threads at the baseline: " + baseline.byName());
      notes.add("Threads at the end: " + end.byName());
    }
    List<String> errors = errorLines();
    check(
        errors.isEmpty(),
        "the gateway logged no ERROR (a bug, or something an operator must fix)",
        errors.size() + " ERROR lines" + (errors.isEmpty() ? "" : ", the first: " + errors.get(0)));
    long heapLimit = baseline.liveHeap() + Math.max(HEAP_SLACK_MIN, baseline.liveHeap() / 4);
    check(
        end.liveHeap() <= heapLimit,
        "gateway live heap back to the baseline (+ max(16 MiB, 25 %))",
        String.format(
            "baseline %.1f MiB, end %.1f MiB (limit %.1f MiB), after full collections",
            mib(baseline.liveHeap()), mib(end.liveHeap()), mib(heapLimit)));
  }

  /**
   * What the S3 server logged of its own failures (5xx answers, threads that died), so a failed run
   * can be told from a gateway bug; empty when there were none.
   */
  private String serverFailures() throws IOException {
    Path log = work.resolve("s3-server.log");
    if (!Files.exists(log)) {
      return "";
    }
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> failures =
          lines.filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
      return failures.isEmpty()
          ? ""
          : "; the S3 server logged "
              + failures.size()
              + " warnings or errors of its own, the first: "
              + failures.get(0);
    }
  }

  /** The gateway log's ERROR lines (clients that misbehave, S3 pausing, are none of its bugs). */
  private List<String> errorLines() throws IOException {
    try (var lines = Files.lines(work.resolve("gateway.log"), StandardCharsets.UTF_8)) {
      return lines.filter(line -> line.contains(" ERROR [")).toList();
    }
  }

  private int killedUploadsStored(int port) throws IOException {
    FTPClient ftp = Worker.connect(port, RUDE_USER, password, new Tally());
    if (ftp == null) {
      throw new IOException("cannot log in as " + RUDE_USER + " for the final check");
    }
    try {
      FTPFile[] files = ftp.mlistDir("/" + Misbehaviour.KILLED_DIR);
      if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
        return ftp.getReplyCode() == 550 ? 0 : -1;
      }
      int count = 0;
      for (FTPFile file : files) {
        count += file.isFile() ? 1 : 0;
      }
      return count;
    } finally {
      ftp.logout();
      ftp.disconnect();
    }
  }

  /** Uploads and deletes {@code count} small files one after another; how many worked. */
  private int rangeStillWhole(int port, int count) throws IOException {
    FTPClient ftp = Worker.connect(port, RUDE_USER, password, new Tally());
    if (ftp == null) {
      return 0;
    }
    int ok = 0;
    try {
      for (int i = 0; i < count; i++) {
        if (ftp.storeFile("/range-" + i + ".bin", new ByteArrayInputStream(new byte[1024]))
            && ftp.deleteFile("/range-" + i + ".bin")) {
          ok++;
        } else {
          notes.add("Range check " + i + ": " + ftp.getReplyString().strip());
        }
      }
    } finally {
      ftp.logout();
      ftp.disconnect();
    }
    return ok;
  }

  private static long pendingUploads(S3Client raw) {
    return raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().size();
  }

  private static long listening(PortRange passive) {
    try {
      return passive.listening();
    } catch (IOException e) {
      return -1;
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static boolean waitFor(Duration limit, Condition condition) throws Exception {
    long until = System.nanoTime() + limit.toNanos();
    while (true) {
      if (condition.holds()) {
        return true;
      }
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(1_000);
    }
  }

  private void check(boolean passed, String what, String measured) {
    failed |= !passed;
    checks.add("| " + what + " | " + measured + " | " + (passed ? "PASS" : "FAIL") + " |");
  }

  private String report(String revision, PortRange passive, String faults, Duration ran)
      throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("# Dropzone soak ")
        .append(LocalDate.now())
        .append(" (")
        .append(revision)
        .append("): ")
        .append(failed ? "FAIL" : "PASS")
        .append("\n\n");
    out.append("Ran ")
        .append(ran.toSeconds())
        .append(" s with ")
        .append(settings)
        .append("; passive ports ")
        .append(passive.setting())
        .append(".\n\n");
    out.append("| check | measured | verdict |\n|---|---|---|\n");
    checks.forEach(c -> out.append(c).append('\n'));
    out.append("\n## Load\n\n");
    out.append("- Faults: ").append(faults).append('\n');
    out.append(
        String.format(
            "- %.0f MiB uploaded and confirmed, %.0f MiB downloaded and verified%n",
            mib(tally.bytesUploaded()), mib(tally.bytesVerified())));
    Map<String, Double> longest = tally.longestSeconds();
    for (Map.Entry<String, Map<String, Long>> op : tally.outcomes().entrySet()) {
      out.append("- ").append(op.getKey()).append(": ").append(op.getValue());
      if (longest.containsKey(op.getKey())) {
        out.append(", longest ").append(longest.get(op.getKey())).append(" s");
      }
      out.append('\n');
    }
    if (!tally.replyKinds().isEmpty()) {
      out.append("\n## Refusals the clients met (numbers as #)\n\n");
      tally.replyKinds().forEach(r -> out.append("- `").append(r).append("`\n"));
    }
    if (!tally.violations().isEmpty()) {
      out.append("\n## Violations (first ").append(tally.violations().size()).append(")\n\n");
      tally.violations().forEach(v -> out.append("- ").append(v).append('\n'));
    }
    if (!notes.isEmpty()) {
      out.append("\n## Notes\n\n");
      notes.forEach(n -> out.append("- ").append(n).append('\n'));
    }
    out.append("\n## Machine and versions\n\n");
    Machine.describe().forEach(m -> out.append("- ").append(m).append('\n'));
    return out.toString();
  }

  private static double mib(long bytes) {
    return bytes / MIB;
  }
}
