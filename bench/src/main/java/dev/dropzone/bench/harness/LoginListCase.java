package dev.dropzone.bench.harness;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Case 10: a fresh client's login and listing of a directory, as a short batch session does it: a
 * new Commons Net session (connect, login, TYPE I, PASV, LIST, QUIT) and a new lftp process ({@code
 * ls}), on a warm gateway and right after a restart, against a new TCP connection plus one
 * ListObjectsV2 of the same prefix.
 */
final class LoginListCase {

  /** The gateway of the run, which this case restarts. */
  interface Gateway {
    Child current();

    Child restart() throws IOException;
  }

  /** How often the restart half is repeated; each start of a JVM costs seconds. */
  static final int RESTARTS = 3;

  private static final int WARM_UP = 3;

  /** ListObjectsV2 calls before the baseline is measured: its SDK code path is cold until then. */
  private static final int BASELINE_WARM_UP = 100;

  /** Sessions that at least warm the gateway's code, as the baseline's calls warm the SDK's. */
  private static final int MIN_WARM_UP = 50;

  /** Bound of the sessions that warm the gateway's memory of the directory. */
  private static final int MAX_WARM_UP = 200;

  /**
   * Further sessions, each beside a baseline call, before the paths are measured as a server that
   * has been running does them: after 50 sessions most of the gateway's per-session code (MINA,
   * FtpServer, the login) has run 50 times and is still interpreted or in the compiler's profiling
   * tier, while the baseline's per-call code is one SDK request.
   */
  static final int LONG_RUNNING = 2_000;

  private final Gateway gateway;
  private final Child s3Server;
  private final S3Settings settings;
  private final String user;
  private final String password;
  private final PatternSource source;
  private final String dir;
  private final String prefix;
  private final int entries;
  private final int logins;
  private double lftpStart;

  /** Each measured warm Commons Net session's steps in ns (login, listing, logout); else null. */
  private List<double[]> steps;

  private int warmUpSessions;

  LoginListCase(
      Gateway gateway,
      Child s3Server,
      S3Settings settings,
      String user,
      String password,
      PatternSource source,
      String dir,
      String prefix,
      int entries,
      int logins) {
    this.gateway = gateway;
    this.s3Server = s3Server;
    this.settings = settings;
    this.user = user;
    this.password = password;
    this.source = source;
    this.dir = dir;
    this.prefix = prefix;
    this.entries = entries;
    this.logins = logins;
  }

  List<Row> run() throws Exception {
    double[] raw = new double[logins];
    double[] session = new double[logins];
    double[] lftp = new double[logins];
    double[] startOnly = new double[logins];
    double[] rawLong = new double[logins];
    double[] sessionLong = new double[logins];
    String split;
    S3Requests sessionRequests = new S3Requests(Map.of());
    try (S3Client fresh = S3Clients.builder(settings, new NewConnectionEachRequest()).build();
        DirectS3 direct =
            new DirectS3(fresh, settings.bucket(), prefix, settings.partSize(), 1, source)) {
      Bench.Step list = () -> expect(direct.list(dir), "ListObjectsV2");
      // The baseline's client code needs as much JIT warm-up as the gateway's listing gets.
      for (int i = 0; i < BASELINE_WARM_UP; i++) {
        list.run();
      }
      warmUp();
      for (int i = 0; i < WARM_UP; i++) {
        lftp();
      }
      // Interleaved, so that a busy moment of the shared host hits every path alike.
      steps = new ArrayList<>();
      for (int i = 0; i < logins; i++) {
        raw[i] = Bench.seconds(list);
        S3Requests before = S3Requests.of(s3Server);
        session[i] = Bench.seconds(this::commonsNet);
        sessionRequests = sessionRequests.plus(S3Requests.of(s3Server).since(before));
        lftp[i] = Bench.seconds(this::lftp);
        startOnly[i] = Bench.seconds(Lftp::startOnly);
      }
      split = stepMedians();
      steps = null;
      for (int i = 0; i < LONG_RUNNING; i++) {
        list.run();
        commonsNet();
      }
      steps = new ArrayList<>();
      for (int i = 0; i < logins; i++) {
        rawLong[i] = Bench.seconds(list);
        sessionLong[i] = Bench.seconds(this::commonsNet);
      }
    }
    lftpStart = Bench.median(startOnly);
    String longSplit = stepMedians();
    steps = null;

    double[] sessionCold = new double[RESTARTS];
    double[] lftpCold = new double[RESTARTS];
    S3Requests coldRequests = null;
    for (int i = 0; i < RESTARTS; i++) {
      gateway.restart();
      S3Requests before = S3Requests.of(s3Server);
      sessionCold[i] = Bench.seconds(this::commonsNet);
      coldRequests = S3Requests.of(s3Server).since(before);
      gateway.restart();
      lftpCold[i] = Bench.seconds(this::lftp);
    }

    double rawMedian = Bench.median(raw);
    String baseline = String.format("%.1f ms TCP connect + ListObjectsV2", rawMedian * 1000);
    List<Row> rows = new ArrayList<>();
    rows.add(
        timeRow(
            "Commons Net session, warm gateway (median of " + logins + ")",
            Bench.median(session),
            rawMedian,
            baseline,
            false));
    double rawLongMedian = Bench.median(rawLong);
    String longBaseline =
        String.format("%.1f ms TCP connect + ListObjectsV2", rawLongMedian * 1000);
    int sessionsBefore = warmUpSessions + logins + LONG_RUNNING;
    rows.add(
        timeRow(
            String.format(
                "Commons Net session, gateway after %,d sessions (median of %d)",
                sessionsBefore, logins),
            Bench.median(sessionLong),
            rawLongMedian,
            longBaseline,
            true));
    rows.add(
        new Row(
            String.format(
                "10. where a Commons Net session's time goes after %,d sessions (medians)",
                sessionsBefore),
            longSplit,
            longBaseline,
            "—",
            "(reference)",
            "—"));
    rows.add(
        timeRow(
            "new lftp process, warm gateway (median of " + logins + ")",
            Bench.median(lftp),
            rawMedian,
            baseline,
            false));
    // Medians hide a stall that hits one session in several (a command read a select timeout
    // late, as logins once were); the slowest of each path shows it.
    rows.add(
        new Row(
            "10. login + ls of " + entries + ", slowest of " + logins + " warm sessions",
            String.format(
                "%.1f ms Commons Net, %.1f ms lftp", max(session) * 1000, max(lftp) * 1000),
            String.format("%.1f ms TCP connect + ListObjectsV2", max(raw) * 1000),
            "—",
            "(reference)",
            "—"));
    rows.add(
        new Row(
            "10. where a warm Commons Net session's time goes (medians)",
            split,
            baseline,
            "—",
            "(reference)",
            "—"));
    rows.add(
        timeRow(
            "Commons Net session, just restarted gateway (median of " + RESTARTS + ")",
            Bench.median(sessionCold),
            rawMedian,
            baseline,
            false));
    rows.add(
        timeRow(
            "new lftp process, just restarted gateway (median of " + RESTARTS + ")",
            Bench.median(lftpCold),
            rawMedian,
            baseline,
            false));
    rows.add(requestRow("warm gateway", sessionRequests, logins));
    rows.add(requestRow("just restarted gateway", coldRequests, 1));
    return rows;
  }

  /**
   * Unmeasured sessions, at least {@link #MIN_WARM_UP} and until one lists the directory without a
   * HeadObject: the gateway remembers a listed file's recorded time only once the file is a few
   * seconds old, so "warm" means the directory as a gateway sees it after it has listed it before.
   */
  private void warmUp() throws Exception {
    for (warmUpSessions = 1; warmUpSessions <= MAX_WARM_UP; warmUpSessions++) {
      S3Requests before = S3Requests.of(s3Server);
      commonsNet();
      if (S3Requests.of(s3Server).since(before).count("HeadObject") == 0
          && warmUpSessions >= MIN_WARM_UP) {
        return;
      }
    }
  }

  private void commonsNet() throws IOException {
    long start = System.nanoTime();
    GatewayFtp ftp = new GatewayFtp(gateway.current().port(), user, password, source);
    long loggedIn = System.nanoTime();
    long listed;
    try (ftp) {
      expect(ftp.list(dir), "LIST");
      listed = System.nanoTime();
    }
    long closed = System.nanoTime();
    if (steps != null) {
      steps.add(new double[] {loggedIn - start, listed - loggedIn, closed - listed});
    }
  }

  /** The medians of {@link #steps}, in milliseconds, as the row shows them. */
  private String stepMedians() {
    String[] names = {"connect + USER/PASS + TYPE", "PASV + LIST + data + 226", "QUIT"};
    StringBuilder text = new StringBuilder();
    for (int step = 0; step < names.length; step++) {
      int s = step;
      double[] times = steps.stream().mapToDouble(t -> t[s] / 1e6).toArray();
      text.append(step == 0 ? "" : ", ")
          .append(names[step])
          .append(String.format(" %.1f ms", Bench.median(times)));
    }
    return text.toString();
  }

  private void lftp() throws IOException {
    expect(new Lftp(gateway.current().port(), user, password).ls(dir), "lftp ls");
  }

  private void expect(List<String> lines, String what) throws IOException {
    if (lines.size() != entries) {
      throw new IOException(
          what + " " + dir + " gave " + lines.size() + " lines, expected " + entries);
    }
  }

  private Row timeRow(String how, double seconds, double raw, String baseline, boolean target) {
    return new Row(
        "10. login + ls of " + entries + ", " + how,
        String.format("%.1f ms", seconds * 1000),
        baseline,
        Row.ratio(seconds, raw),
        target ? "≤ 1.2" : "(reference)",
        target ? Row.verdict(seconds / raw <= 1.2) : "—");
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(0);
  }

  private Row requestRow(String when, S3Requests requests, int sessions) {
    return new Row(
        "10. S3 requests per login + LIST, " + when,
        requests.per(sessions),
        "1.00 ListObjectsV2",
        Row.ratio((double) requests.total() / sessions, 1),
        "(reference)",
        "—");
  }

  String note() {
    return String.format(
        "Case 10 lists a directory of %d objects. The baseline opens a new TCP connection for each"
            + " ListObjectsV2 (Connection: close) on a warm SDK client. lftp's times include its own"
            + " process start, %.1f ms (median of lftp running 'exit'). The gateway checks logins"
            + " against a users file with an Argon2id hash, as in production. Warm: measured after"
            + " %d unmeasured sessions, the last of which listed without a HeadObject%s; the"
            + " baseline after %d unmeasured calls; the three paths measured in turn. After %,d"
            + " sessions: then %,d more unmeasured sessions, each beside an unmeasured baseline"
            + " call, and the Commons Net session and the baseline measured in turn.",
        entries,
        lftpStart * 1000,
        warmUpSessions,
        warmUpSessions > MAX_WARM_UP ? " (not reached: every one HEADed)" : "",
        BASELINE_WARM_UP,
        warmUpSessions + logins + LONG_RUNNING,
        LONG_RUNNING);
  }

  /** Makes the S3 server close each connection after its answer, so every request opens one. */
  private static final class NewConnectionEachRequest implements ExecutionInterceptor {
    @Override
    public SdkHttpRequest modifyHttpRequest(
        Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
      return context.httpRequest().toBuilder().putHeader("Connection", "close").build();
    }
  }
}
