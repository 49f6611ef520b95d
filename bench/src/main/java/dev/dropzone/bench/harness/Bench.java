package dev.dropzone.bench.harness;

import dev.dropzone.bench.child.GatewayMain;
import dev.dropzone.bench.child.S3ServerMain;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * The benchmark run: starts the S3 server and the gateway as child JVMs, runs every case against
 * the gateway and against S3 directly on the same server, and prints and records one table.
 *
 * <p>Arguments: work directory (S3 data, keyset, logs), results directory, source revision. Sizes
 * can be reduced through system properties (see {@link Sizes}).
 */
public final class Bench {

  static final String BUCKET = "bench";
  static final String USER = "bench";

  /** Where the gateway keeps the benchmark user's files: store prefix plus the default home. */
  static final String HOME_KEY = "dz/users/" + USER;

  private static final int LISTING_RUNS = 5;

  private static final double MIB = 1 << 20;
  private static final double GIB = 1 << 30;

  private final Sizes sizes = Sizes.fromSystemProperties();
  private final Path work;
  private final PatternSource source = new PatternSource(20261128L);
  private final String password = Long.toHexString(new java.security.SecureRandom().nextLong());
  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private Child s3Server;
  private Child gateway;
  private int gatewayStarts;
  private S3Client s3;

  private Bench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path results = Path.of(args[1]);
    String revision = args[2];
    Bench bench = new Bench(work);
    List<String> machine = new ArrayList<>(Machine.describe());
    machine.add("Revision: " + revision + "; sizes: " + bench.sizes);
    String loadBefore = Machine.loadAverage();
    bench.run();
    machine.add(
        "Load average (1, 5, 15 min) at the start: "
            + loadBefore
            + "; at the end: "
            + Machine.loadAverage());
    Report report = new Report(machine, bench.rows, bench.notes);
    System.out.println();
    System.out.print(report.text());
    String title = "Dropzone benchmark " + LocalDate.now() + " (" + revision + ")";
    if (bench.sizes.allCases()) {
      // A partial run is only printed: the results directory keeps complete runs.
      report.write(results.resolve(LocalDate.now() + "-" + revision + ".md"), title);
      report.write(results.resolve("latest.md"), title);
    }
  }

  private void run() throws Exception {
    s3Server =
        Child.start(
            "S3 server",
            List.of("-Xmx16g"),
            S3ServerMain.class,
            List.of(BUCKET),
            work.resolve("s3-server.log"));
    S3Settings settings =
        S3Settings.of(
            java.net.URI.create("http://127.0.0.1:" + s3Server.port()),
            S3ServerMain.REGION,
            S3ServerMain.ACCESS_KEY,
            S3ServerMain.SECRET_KEY,
            BUCKET,
            "");
    s3 = S3Clients.create(settings);
    if (sizes.selected("9") || sizes.selected("10")) {
      Lftp.requireInstalled();
    }
    try {
      gateway = startGateway();
      attempt("1", "1/6. large file", () -> largeFile(settings));
      attempt("2", "2. small files", () -> smallFiles(settings));
      attempt("9", "9. lftp mirror", () -> mirror(settings));
      attempt("10", "10. login + ls", () -> loginList(settings));
      attempt("4", "4. listing", () -> listing(settings));
      attempt("3", "3. concurrent clients", () -> concurrentClients(settings));
      if (sizes.selected("5")) {
        gateway.close();
        gateway = startGateway();
      }
      attempt("5", "5. key-service calls", this::keyServiceCalls);
      attempt("7", "7. crypto alone", this::cryptoAlone);
      attempt("8", "8. upload scanning", this::uploadScanning);
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      s3.close();
      s3Server.close();
    }
  }

  /** Runs one case; a failure becomes a row of the table instead of ending the run. */
  private void attempt(String number, String name, Step step) {
    if (!sizes.selected(number)) {
      return;
    }
    try {
      step.run();
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      add(new Row(name, "FAILED", "—", "—", "—", "FAILED"));
      notes.add("Case " + name + " failed: " + cause + " (the child logs have details).");
    }
  }

  private Child startGateway() throws IOException {
    return startGateway(List.of());
  }

  /** A gateway child; {@code extraArgs} are {@link GatewayMain}'s optional scanning arguments. */
  private Child startGateway(List<String> extraArgs) throws IOException {
    List<String> options = new ArrayList<>(List.of("-Xmx256m"));
    String extra = System.getProperty("bench.gatewayJvmOptions", "").trim();
    if (!extra.isEmpty()) {
      options.addAll(List.of(extra.split("\\s+")));
    }
    String jfr = System.getProperty("bench.jfr");
    if (jfr != null) {
      // One recording per gateway start, so the restart before case 5 keeps the first one.
      options.add(
          "-XX:StartFlightRecording=filename="
              + jfr.replaceFirst("(\\.jfr)?$", "-" + ++gatewayStarts + ".jfr")
              + ",settings="
              + System.getProperty("bench.jfrSettings", "profile"));
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "http://127.0.0.1:" + s3Server.port(),
                BUCKET,
                work.resolve("keys/master.json").toString(),
                usersFile().toString()));
    args.addAll(extraArgs);
    Child child =
        Child.start(
            "gateway",
            options,
            GatewayMain.class,
            args,
            work.resolve(extraArgs.isEmpty() ? "gateway.log" : "gateway-scanning.log"));
    log("gateway pid %d on port %d", child.pid(), child.port());
    return child;
  }

  /**
   * The benchmark user in a users file, with an Argon2id hash as {@code dropzone users add} writes.
   */
  private Path usersFile() throws IOException {
    Path file = work.resolve("users.yaml");
    if (!Files.exists(file)) {
      new UsersFile(file)
          .write(List.of(UserEntry.of(USER, PasswordHashes.hash(password.toCharArray()))));
    }
    return file;
  }

  private GatewayFtp ftp() throws IOException {
    return new GatewayFtp(gateway.port(), USER, password, source);
  }

  private DirectS3 direct(S3Settings settings) {
    return new DirectS3(
        s3, BUCKET, "direct/", settings.partSize(), settings.partsInFlight(), source);
  }

  /** Cases 1 and 6: one large file up and down, median of the runs, and the gateway's CPU. */
  private void largeFile(S3Settings settings) throws Exception {
    long size = (long) sizes.largeMib() << 20;
    String expected = source.sha256(size);
    double[] up = new double[sizes.runs()];
    double[] down = new double[sizes.runs()];
    double[] directUp = new double[sizes.runs()];
    double[] directDown = new double[sizes.runs()];
    ThreadCpu.Split cpuUp = ThreadCpu.Split.ZERO;
    ThreadCpu.Split cpuDown = ThreadCpu.Split.ZERO;
    try (GatewayFtp ftp = ftp();
        DirectS3 direct = direct(settings)) {
      // One unmeasured full-size round trip on each path: with 64 MiB the gateway's first
      // measured upload still ran at half its speed while the JIT compiled the data path.
      long warmUp = size;
      ftp.upload("/warm-up.bin", warmUp);
      ftp.download("/warm-up.bin");
      direct.upload("warm-up.bin", warmUp);
      direct.download("warm-up.bin");
      delete(HOME_KEY + "/warm-up.bin", "direct/warm-up.bin");
      for (int run = 0; run < sizes.runs(); run++) {
        Child.CpuMeter meter = gateway.cpuMeter();
        up[run] = size / MIB / seconds(() -> ftp.upload("/large.bin", size));
        cpuUp = cpuUp.plus(meter.stop());
        directUp[run] = size / MIB / seconds(() -> direct.upload("large.bin", size));
        meter = gateway.cpuMeter();
        down[run] = size / MIB / seconds(() -> verify(expected, ftp.download("/large.bin")));
        cpuDown = cpuDown.plus(meter.stop());
        directDown[run] =
            size / MIB / seconds(() -> verify(expected, direct.download("large.bin")));
        log(
            "large run %d: up %.1f vs %.1f MiB/s, down %.1f vs %.1f MiB/s",
            run + 1, up[run], directUp[run], down[run], directDown[run]);
      }
    }
    delete(HOME_KEY + "/large.bin", "direct/large.bin");
    String name = sizes.largeMib() + " MiB";
    double u = median(up);
    double du = median(directUp);
    double d = median(down);
    double dd = median(directDown);
    add(largeRow(name + " upload", u, du, "SDK multipart", 0.85));
    add(largeRow(name + " download", d, dd, "GetObject", 0.9));
    double gib = size * sizes.runs() / GIB;
    double perGibUp = cpuUp.total() / gib;
    double perGibDown = cpuDown.total() / gib;
    add(
        new Row(
            "6. gateway CPU s per GiB uploaded",
            cpuUp.perGib(gib),
            "—",
            "—",
            "≤ 1.5 s",
            Row.verdict(perGibUp <= 1.5)));
    add(
        new Row(
            "6. gateway CPU s per GiB downloaded",
            cpuDown.perGib(gib),
            "—",
            "—",
            "≤ 0.8 s",
            Row.verdict(perGibDown <= 0.8)));
    notes.add(
        "Case 6 counts user+system CPU of the gateway JVM only (from /proc/<pid>/stat), over the "
            + sizes.runs()
            + " transfers of case 1, after one unmeasured full-size warm-up round trip.");
  }

  /** Case 2: many small files one after another over one session. */
  private void smallFiles(S3Settings settings) throws Exception {
    int count = sizes.smallFiles();
    long size = 64 << 10;
    String expected = source.sha256(size);
    double up;
    double down;
    double directUp;
    double directDown;
    S3Requests upRequests;
    S3Requests downRequests;
    ThreadCpu.Split cpuUp;
    ThreadCpu.Split cpuDown;
    try (GatewayFtp ftp = ftp();
        DirectS3 direct = direct(settings)) {
      ftp.mkdir("/small");
      S3Requests before = S3Requests.of(s3Server);
      Child.CpuMeter meter = gateway.cpuMeter();
      up = count / seconds(() -> forEach(count, i -> ftp.upload(smallName("/small/", i), size)));
      cpuUp = meter.stop();
      S3Requests after = S3Requests.of(s3Server);
      upRequests = after.since(before);
      meter = gateway.cpuMeter();
      down =
          count
              / seconds(
                  () ->
                      forEach(count, i -> verify(expected, ftp.download(smallName("/small/", i)))));
      cpuDown = meter.stop();
      downRequests = S3Requests.of(s3Server).since(after);
      directUp =
          count / seconds(() -> forEach(count, i -> direct.upload(smallName("small/", i), size)));
      directDown =
          count
              / seconds(
                  () ->
                      forEach(
                          count, i -> verify(expected, direct.download(smallName("small/", i)))));
    }
    add(
        new Row(
            "2. " + count + " × 64 KiB uploads, one session",
            String.format("%.1f files/s", up),
            String.format("%.1f files/s PutObject", directUp),
            Row.ratio(up, directUp),
            "≥ 0.70",
            Row.verdict(up / directUp >= 0.7)));
    add(
        new Row(
            "2. " + count + " × 64 KiB downloads, one session",
            String.format("%.1f files/s", down),
            String.format("%.1f files/s GetObject", directDown),
            Row.ratio(down, directDown),
            "≥ 0.70",
            Row.verdict(down / directDown >= 0.7)));
    add(smallFileCost("STOR", cpuUp, upRequests, count, "PutObject"));
    add(smallFileCost("RETR", cpuDown, downRequests, count, "GetObject"));
  }

  /** Case 2's gateway CPU and S3 requests per file, for comparison with lftp's in case 9. */
  private static Row smallFileCost(
      String command, ThreadCpu.Split cpu, S3Requests requests, int files, String call) {
    return new Row(
        "2. gateway CPU and S3 requests per " + command + " of 64 KiB",
        cpu.perFile(files) + "; " + requests.per(files),
        "1.00 " + call,
        "—",
        "(reference)",
        "—");
  }

  /** Case 4: LIST and MLSD of a large directory against raw ListObjectsV2 pagination. */
  private void listing(S3Settings settings) throws Exception {
    int count = sizes.listEntries();
    try (GatewayFtp ftp = ftp()) {
      ftp.mkdir("/list");
      ftp.upload(smallName("/list/", 0), 1024);
      ftp.mkdir("/list-few");
    }
    int few = Math.min(500, count);
    String template = HOME_KEY + smallName("/list/", 0);
    populateListing(template, "/list/", 1, count);
    populateListing(template, "/list-few/", 0, few);
    double list = Double.MAX_VALUE;
    double mlsd = Double.MAX_VALUE;
    double raw = Double.MAX_VALUE;
    long heapLarge;
    long heapSmall;
    try (GatewayFtp ftp = ftp();
        DirectS3 direct = new DirectS3(s3, BUCKET, HOME_KEY, settings.partSize(), 1, source)) {
      gateway.ask("reset");
      expectCount(ftp.list("/list-few"), few, "LIST /list-few");
      heapSmall = heapPeak();
      gateway.ask("reset");
      // One unmeasured round on each path compiles the listing code of all three.
      expectCount(ftp.list("/list"), count, "LIST");
      expectCount(ftp.mlsd("/list"), count, "MLSD");
      expectCount(direct.list("/list"), count, "ListObjectsV2");
      for (int run = 0; run < LISTING_RUNS; run++) {
        list = Math.min(list, seconds(() -> expectCount(ftp.list("/list"), count, "LIST")));
        mlsd = Math.min(mlsd, seconds(() -> expectCount(ftp.mlsd("/list"), count, "MLSD")));
        raw =
            Math.min(raw, seconds(() -> expectCount(direct.list("/list"), count, "ListObjectsV2")));
      }
      heapLarge = heapPeak();
    }
    add(listingRow("LIST", count, list, raw));
    add(listingRow("MLSD", count, mlsd, raw));
    add(
        new Row(
            "4. gateway live heap peak listing " + count + " vs " + few + " entries",
            String.format("%.0f MiB", heapLarge / MIB),
            String.format("%.0f MiB", heapSmall / MIB),
            Row.ratio(heapLarge, heapSmall),
            "flat",
            "see note"));
    notes.add(
        "Live heap peaks are the largest heap occupancy right after a garbage collection since a"
            + " reset (which starts from a full collection); a young collection leaves old-generation garbage in place, so"
            + " they bound what the gateway kept alive from above. A listing holds at most two pages"
            + " of 1,000 entries whatever the directory's size (S3FileTreeTest checks the paging).");
  }

  /** Case 9: see {@link MirrorCase}. */
  private void mirror(S3Settings settings) throws Exception {
    MirrorCase mirror =
        new MirrorCase(
            new MirrorCase.Setup(
                gateway,
                s3Server,
                new Lftp(gateway.port(), USER, password),
                () -> direct(settings),
                source,
                work,
                sizes.smallFiles(),
                sizes.mirrorRuns()));
    try {
      mirror.run().forEach(this::add);
    } finally {
      deletePrefix(HOME_KEY + "/mirror-");
      deletePrefix("direct/mirror-");
    }
    notes.add(mirror.note());
  }

  /** Case 10: see {@link LoginListCase}. */
  private void loginList(S3Settings settings) throws Exception {
    int entries = 500;
    try (GatewayFtp ftp = ftp()) {
      ftp.mkdir("/ls");
      ftp.upload(smallName("/ls/", 0), 1024);
    }
    populateListing(HOME_KEY + smallName("/ls/", 0), "/ls/", 1, entries);
    LoginListCase login =
        new LoginListCase(
            new LoginListCase.Gateway() {
              @Override
              public Child current() {
                return gateway;
              }

              @Override
              public Child restart() throws IOException {
                gateway.close();
                gateway = startGateway();
                return gateway;
              }
            },
            s3Server,
            settings,
            USER,
            password,
            source,
            "/ls",
            HOME_KEY,
            entries,
            sizes.logins());
    try {
      login.run().forEach(this::add);
    } finally {
      deletePrefix(HOME_KEY + "/ls");
    }
    notes.add(login.note());
  }

  /** Deletes every object whose key starts with {@code prefix}, a thousand per request. */
  private void deletePrefix(String prefix) {
    for (var page : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix))) {
      if (!page.contents().isEmpty()) {
        s3.deleteObjects(
            b ->
                b.bucket(BUCKET)
                    .delete(
                        d ->
                            d.objects(
                                page.contents().stream()
                                    .map(o -> ObjectIdentifier.builder().key(o.key()).build())
                                    .toList())));
      }
    }
  }

  private Row largeRow(String what, double gateway, double direct, String baseline, double target) {
    return new Row(
        "1. " + what + " (median of " + sizes.runs() + ")",
        Row.mibPerSecond(gateway),
        Row.mibPerSecond(direct) + " " + baseline,
        Row.ratio(gateway, direct),
        String.format("≥ %.2f", target),
        Row.verdict(gateway / direct >= target));
  }

  private static Row listingRow(String command, int count, double seconds, double raw) {
    return new Row(
        "4. " + command + " of " + count + " (best of " + LISTING_RUNS + ")",
        String.format("%.0f ms", seconds * 1000),
        String.format("%.0f ms ListObjectsV2", raw * 1000),
        Row.ratio(seconds, raw),
        "≤ 1.5",
        Row.verdict(seconds / raw <= 1.5));
  }

  /**
   * Fills {@code dir} with copies of the gateway's object {@code template}, straight through S3.
   */
  private void populateListing(String template, String dir, int from, int count) throws Exception {
    var head = s3.headObject(b -> b.bucket(BUCKET).key(template));
    byte[] body = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(template)).asByteArray();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> puts = new ArrayList<>();
      for (int i = from; i < count; i++) {
        String key = HOME_KEY + smallName(dir, i);
        puts.add(
            pool.submit(
                () ->
                    s3.putObject(
                        b -> b.bucket(BUCKET).key(key).metadata(head.metadata()),
                        RequestBody.fromBytes(body))));
      }
      for (Future<?> put : puts) {
        put.get();
      }
    } finally {
      pool.shutdownNow();
    }
    log("listing directory holds %d objects", count);
  }

  /** Case 3: concurrent clients, each uploading then downloading one file. */
  private void concurrentClients(S3Settings settings) throws Exception {
    int clients = sizes.clients();
    long size = (long) sizes.concurrentMib() << 20;
    String expected = source.sha256(size);
    double bytes = 2.0 * clients * size;
    gateway.ask("reset");
    boolean rssReset = gateway.resetPeakRss();
    double gatewayTime;
    String failure = null;
    try {
      gatewayTime =
          seconds(
              () ->
                  inParallel(
                      clients,
                      i -> {
                        try (GatewayFtp ftp = ftp()) {
                          ftp.upload("/concurrent-" + i + ".bin", size);
                          verify(expected, ftp.download("/concurrent-" + i + ".bin"));
                        }
                      }));
    } catch (ExecutionException e) {
      // Recorded, not fatal: the other cases still say something, and the row says what broke.
      gatewayTime = Double.NaN;
      failure = String.valueOf(e.getCause().getMessage());
      log("case 3 through the gateway failed: %s (see gateway.log)", failure);
      notes.add("Case 3 through the gateway failed: " + failure + " (gateway.log has the cause).");
    }
    Stats stats = Stats.parse(gateway.ask("stats"));
    long heap = stats.liveHeapPeak();
    long rss = gateway.peakRss();
    for (int i = 0; i < clients; i++) {
      delete(HOME_KEY + "/concurrent-" + i + ".bin");
    }
    double directTime =
        seconds(
            () ->
                inParallel(
                    clients,
                    i -> {
                      try (DirectS3 direct = direct(settings)) {
                        direct.upload("concurrent-" + i + ".bin", size);
                        verify(expected, direct.download("concurrent-" + i + ".bin"));
                      }
                    }));
    for (int i = 0; i < clients; i++) {
      delete("direct/concurrent-" + i + ".bin");
    }
    double rate = bytes / MIB / gatewayTime;
    double directRate = bytes / MIB / directTime;
    add(
        new Row(
            "3. " + clients + " × " + sizes.concurrentMib() + " MiB up+down, aggregate",
            failure == null ? Row.mibPerSecond(rate) : "FAILED",
            Row.mibPerSecond(directRate) + " SDK",
            failure == null ? Row.ratio(rate, directRate) : "—",
            "completes, -Xmx256m",
            Row.verdict(failure == null)));

    long bound = (long) clients * (settings.partsInFlight() + 1) * settings.partSize();
    add(
        new Row(
            "3. gateway part buffers at most, of their budget",
            String.format(
                "%.0f of %.0f MiB, %d waits",
                stats.partBufferPeak() / MIB,
                stats.partBufferBudget() / MIB,
                stats.partBufferWaits()),
            String.format("%.0f MiB without a budget", bound / MIB),
            "—",
            "(reference)",
            "—"));
    add(
        new Row(
            "3. gateway peak RSS / live heap during case 3",
            String.format("%.0f MiB / %.0f MiB", rss / MIB, heap / MIB),
            "—",
            "—",
            "(reference)",
            "—"));
    notes.add(
        "Case 3 peak RSS is VmHWM of the gateway JVM"
            + (rssReset ? " reset just before the case" : " since its start (reset refused)")
            + "; every download was verified by SHA-256.");
  }

  /** Case 5: key-service calls for many downloads by one user, from a freshly started gateway. */
  private void keyServiceCalls() throws Exception {
    int downloads = sizes.downloads();
    String expected = source.sha256(64 << 10);
    Stats before = Stats.parse(gateway.ask("stats"));
    double time;
    try (GatewayFtp ftp = ftp()) {
      time =
          seconds(
              () ->
                  forEach(
                      downloads,
                      i ->
                          verify(
                              expected,
                              ftp.download(smallName("/small/", i % sizes.smallFiles())))));
    }
    Stats after = Stats.parse(gateway.ask("stats"));
    long unwraps = after.unwraps() - before.unwraps();
    add(
        new Row(
            "5. unwrap calls for " + downloads + " downloads by one user",
            Long.toString(unwraps),
            "1 per user per TTL",
            "—",
            "= 1",
            Row.verdict(unwraps == 1)));
    notes.add(
        String.format(
            "Case 5 ran on a restarted gateway (cold key cache): %d downloads in %.1f s; key service"
                + " calls during them: %d unwrap, %d wrap.",
            downloads, time, unwraps, after.wraps() - before.wraps()));
  }

  /** Case 7: the crypto alone, against OpenSSL's AES-256-GCM and SHA-256 as hardware references. */
  private void cryptoAlone() throws Exception {
    Map<String, Double> tink = CryptoSpeed.tink();
    double aes = CryptoSpeed.openssl("aes-256-gcm");
    double sha = CryptoSpeed.openssl("sha256");
    for (String path : List.of("encrypt", "decrypt")) {
      add(
          cryptoRow(
              "7. JMH " + path + " 64 MiB, 1 MiB segments, 1 thread",
              tink.get(path),
              aes,
              "openssl aes-256-gcm"));
    }
    double digest = tink.get("plaintextSha256");
    add(
        cryptoRow(
            "7. JMH SHA-256 of 64 MiB (kept for HASH), 64 KiB updates, 1 thread",
            digest,
            sha,
            "openssl sha256"));
    // What case 6's upload CPU cannot go below while every upload keeps its SHA-256 for HASH. The
    // cipher rows are no such floor: they include Tink's stream copies and the benchmark's own
    // chunking (bench/README.md has the gateway's AES-GCM share from a profile).
    double digestPerGib = GIB / MIB / digest;
    add(
        new Row(
            "7. CPU s per GiB uploaded for the SHA-256 alone",
            String.format("%.2f s", digestPerGib),
            "case 6 target 1.5 s",
            Row.ratio(digestPerGib, 1.5),
            "(reference)",
            "—"));
  }

  private static Row cryptoRow(String name, double value, double reference, String what) {
    return new Row(
        name,
        Row.mibPerSecond(value),
        Row.mibPerSecond(reference) + " " + what,
        Row.ratio(value, reference),
        "(reference)",
        "—");
  }

  /** Case 8: see {@link ScanCase}. */
  private void uploadScanning() throws Exception {
    ScanCase scan = new ScanCase(sizes, work);
    try (ScanCase.Clamd clamd = scan.startClamd();
        Child scanning = startGateway(clamd.gatewayArgs());
        GatewayFtp plain = ftp();
        GatewayFtp scanned = new GatewayFtp(scanning.port(), USER, password, source)) {
      scan.run(plain, gateway, scanned, scanning).forEach(this::add);
    } finally {
      delete(ScanCase.keys(HOME_KEY));
    }
    notes.add(scan.note());
  }

  private void add(Row row) {
    rows.add(row);
    log(
        "%s: gateway %s, baseline %s, ratio %s, %s",
        row.name(), row.gateway(), row.baseline(), row.ratio(), row.verdict());
  }

  /** Frees the S3 server's memory of objects a case no longer needs. */
  private void delete(String... keys) {
    for (String key : keys) {
      try {
        s3.deleteObject(b -> b.bucket(BUCKET).key(key));
      } catch (NoSuchKeyException e) {
        // S3Proxy answers 404 where S3 answers 204; an object a failed case never wrote is gone.
      }
    }
  }

  /** The gateway's live heap peak since the last reset. */
  private long heapPeak() throws IOException {
    return Stats.parse(gateway.ask("stats")).liveHeapPeak();
  }

  private static String smallName(String dir, int i) {
    return String.format("%sf%05d", dir, i);
  }

  static void verify(String expected, String actual) throws IOException {
    if (!expected.equals(actual)) {
      throw new IOException("content differs: SHA-256 " + actual + ", expected " + expected);
    }
  }

  private static void expectCount(List<String> names, int expected, String what)
      throws IOException {
    if (names.size() != expected) {
      throw new IOException(what + " returned " + names.size() + " entries, expected " + expected);
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
  }

  /** Work that may fail with I/O. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /** Work on one index that may fail with I/O. */
  @FunctionalInterface
  interface IndexedStep {
    void run(int index) throws Exception;
  }

  static double seconds(Step step) throws Exception {
    long start = System.nanoTime();
    step.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static void forEach(int count, IndexedStep step) throws Exception {
    for (int i = 0; i < count; i++) {
      step.run(i);
    }
  }

  static void inParallel(int count, IndexedStep step) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<Void>> tasks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        tasks.add(
            pool.submit(
                () -> {
                  step.run(index);
                  return null;
                }));
      }
      for (Future<Void> task : tasks) {
        task.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
