package dev.dropzone.gateway.config;

import dev.dropzone.gateway.admin.AdminSettings;
import dev.dropzone.gateway.audit.AuditSettings;
import dev.dropzone.gateway.audit.AuditTarget;
import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.gateway.scan.ScanSettings;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.VirtualPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration, converted into the settings each component takes. This is the one
 * place where configuration values become {@link S3Settings} and {@link FtpSettings}.
 *
 * @param keyProvider the key service selected by {@code keys.provider}
 * @param keyCacheMaxSize most unwrapped user keys kept in memory
 * @param keyCacheTtl maximum age of an unwrapped key, counted from its unwrap
 * @param usersFile the users file
 * @param staleUploadAge multipart uploads older than this are aborted by the background sweep; zero
 *     turns the sweep off
 * @param sweepInterval the mean time between two sweeps
 * @param auth which user sources log users in, and their settings
 * @param scan how uploads are malware-scanned, or null when scanning is off
 * @param formats which object formats the store serves ({@code keys.acceptFormatV1})
 * @param audit where the audit log and the xferlog go
 * @param admin where the admin HTTP endpoint listens, or null when it is off
 */
public record GatewaySettings(
    S3Settings s3,
    FtpSettings ftp,
    KeyProvider keyProvider,
    long keyCacheMaxSize,
    Duration keyCacheTtl,
    Path usersFile,
    Duration staleUploadAge,
    Duration sweepInterval,
    AuthSettings auth,
    ScanSettings scan,
    FormatPolicy formats,
    AuditSettings audit,
    AdminSettings admin) {

  private static final long MAX_PART_SIZE = 5L << 30;

  /**
   * Validates {@code config}; relative file paths are taken relative to {@code baseDir} (the
   * directory of the config file).
   *
   * @throws ConfigException listing every problem, each naming its key and value
   */
  public static GatewaySettings from(DropzoneConfig config, Path baseDir) throws ConfigException {
    Problems problems = new Problems();
    GatewaySettings settings = validate(config, baseDir, problems);
    problems.throwIfAny();
    return settings;
  }

  /**
   * Validates like {@link #from} but records the problems instead of throwing: the settings come
   * back as far as they could be made, parts with problems missing (null) or holding the invalid
   * values, for a preflight that still checks the parts that are fine.
   */
  static GatewaySettings validate(DropzoneConfig config, Path baseDir, Problems problems) {
    S3Settings s3 = s3(config.s3(), problems);
    FtpSettings ftp = ftp(config.ftp(), config.auth(), baseDir, problems);

    DropzoneConfig.Keys keys = config.keys();
    KeyProvider keyProvider = KeysSection.provider(keys, config.s3().region(), baseDir, problems);
    problems.check(
        keys.cache().maxSize() >= 1, "keys.cache.maxSize", keys.cache().maxSize(), "must be ≥ 1");
    problems.check(
        keys.cache().ttl() != null && keys.cache().ttl().compareTo(Duration.ofSeconds(2)) >= 0,
        "keys.cache.ttl",
        format(keys.cache().ttl()),
        "must be at least 2s (keys in use are unwrapped again after half of it)");

    Path users = null;
    if (blank(config.users().file())) {
      problems.add("users.file", "is required");
    } else {
      users = baseDir.resolve(config.users().file());
    }
    Duration stale = config.uploads().staleUploadAge();
    problems.check(
        stale != null && !stale.isNegative(),
        "uploads.staleUploadAge",
        format(stale),
        "must be 0 (off) or a positive duration");
    Duration sweepInterval = config.uploads().sweepInterval();
    problems.check(
        sweepInterval != null && sweepInterval.compareTo(Duration.ofSeconds(1)) >= 0,
        "uploads.sweepInterval",
        format(sweepInterval),
        "must be at least 1s");
    AuthSettings auth = AuthSection.settings(config.auth(), baseDir, problems);
    ScanSettings scan = ScanSection.settings(config.scan(), problems);
    AdminSettings admin = AdminSection.settings(config.admin(), problems);

    return new GatewaySettings(
        s3,
        ftp,
        keyProvider,
        keys.cache().maxSize(),
        keys.cache().ttl(),
        users,
        stale,
        sweepInterval,
        auth,
        scan,
        formats(keys.acceptFormatV1(), keyProvider),
        audit(config.audit(), baseDir),
        admin);
  }

  /**
   * {@code keys.acceptFormatV1}, by default on (v1 files stay readable until {@code keys upgrade}
   * has converted them), except with the EaaS provider: its RSA-wrapped v1 keys carry no binding,
   * so serving v1 would let a bucket writer relabel any file, format v2 included, as a v1 file of
   * their own home and read it there.
   */
  static FormatPolicy formats(Boolean acceptFormatV1, KeyProvider provider) {
    if (acceptFormatV1 != null) {
      return new FormatPolicy(acceptFormatV1);
    }
    return new FormatPolicy(!(provider instanceof KeyProvider.Eaas));
  }

  private static AuditSettings audit(DropzoneConfig.Audit c, Path baseDir) {
    return new AuditSettings(
        AuditTarget.parse(c.target(), baseDir),
        blank(c.xferlog()) ? null : baseDir.resolve(c.xferlog().strip()));
  }

  private static S3Settings s3(DropzoneConfig.S3 c, Problems problems) {
    URI endpoint = null;
    if (!blank(c.endpoint())) {
      try {
        endpoint = new URI(c.endpoint());
        problems.check(
            ("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
                && endpoint.getHost() != null,
            "s3.endpoint",
            c.endpoint(),
            "is not an http(s) URL like https://s3.eu-west-1.amazonaws.com");
      } catch (URISyntaxException e) {
        problems.add("s3.endpoint", "'" + c.endpoint() + "' is not a URL: " + e.getReason());
      }
    }
    problems.check(!blank(c.region()), "s3.region", c.region(), "must not be empty");
    if (blank(c.bucket())) {
      problems.add("s3.bucket", "is required (the bucket must already exist)");
    }
    boolean hasId = !blank(c.accessKeyId());
    boolean hasSecret = c.secretAccessKey() != null && !c.secretAccessKey().isEmpty();
    if (hasId != hasSecret) {
      problems.add(
          hasId ? "s3.secretAccessKey" : "s3.accessKeyId",
          "is missing: give both s3.accessKeyId and s3.secretAccessKey, or neither to use the"
              + " AWS default credential chain");
    }
    long partSize = c.partSize() == null ? 0 : c.partSize().bytes();
    problems.check(
        partSize >= S3Settings.MIN_PART_SIZE && partSize <= MAX_PART_SIZE,
        "s3.partSize",
        c.partSize(),
        "must be between 5MiB and 5GiB (S3's part size limits)");
    problems.check(
        c.partsInFlight() >= 1 && c.partsInFlight() <= 64,
        "s3.partsInFlight",
        c.partsInFlight(),
        "must be between 1 and 64");
    problems.check(c.maxConnections() >= 1, "s3.maxConnections", c.maxConnections(), "must be ≥ 1");
    problems.check(
        c.commandDeadline() != null && c.commandDeadline().compareTo(Duration.ofSeconds(1)) >= 0,
        "s3.commandDeadline",
        format(c.commandDeadline()),
        "must be at least 1s (how long one command may wait for S3, retries included)");
    long budget =
        c.partBufferBudget() == null
            ? S3Settings.DERIVED_PART_BUFFER_BUDGET
            : c.partBufferBudget().bytes();
    // Checked whenever it is set, so an explicit 0 is an error rather than "derive it".
    problems.check(
        c.partBufferBudget() == null || budget >= partSize,
        "s3.partBufferBudget",
        c.partBufferBudget(),
        "must be at least one part (s3.partSize = "
            + c.partSize()
            + "), or empty (~) to derive it from the heap");
    long copyPartSize = c.copy().partSize() == null ? 0 : c.copy().partSize().bytes();
    long copyAbove = c.copy().multipartAbove() == null ? 0 : c.copy().multipartAbove().bytes();
    boolean copyPartValid =
        copyPartSize >= S3Settings.MIN_PART_SIZE && copyPartSize <= MAX_PART_SIZE;
    problems.check(
        copyPartValid,
        "s3.copy.partSize",
        c.copy().partSize(),
        "must be between 5MiB and 5GiB (S3's part size limits)");
    problems.check(
        copyAbove > 0 && copyAbove <= MAX_PART_SIZE,
        "s3.copy.multipartAbove",
        c.copy().multipartAbove(),
        "must be above 0 and at most 5GiB (the largest object CopyObject accepts)");
    problems.check(
        !copyPartValid || copyAbove <= 0 || copyAbove > MAX_PART_SIZE || copyAbove >= copyPartSize,
        "s3.copy.multipartAbove",
        c.copy().multipartAbove(),
        "must not be below s3.copy.partSize (" + c.copy().partSize() + ")");
    problems.check(
        c.maxNameBytes() >= 1 && c.maxNameBytes() <= VirtualPath.MAX_BYTES,
        "s3.maxNameBytes",
        c.maxNameBytes(),
        "must be between 1 and 1024 (S3's key limit)");
    try {
      return new S3Settings(
          endpoint,
          c.region(),
          hasId && hasSecret ? c.accessKeyId() : null,
          hasId && hasSecret ? c.secretAccessKey().reveal() : null,
          c.bucket(),
          c.prefix(),
          c.pathStyle(),
          (int) Math.min(partSize, Integer.MAX_VALUE),
          c.partsInFlight(),
          c.maxConnections(),
          budget,
          copyAbove,
          copyPartSize,
          c.commandDeadline(),
          c.maxNameBytes());
    } catch (RuntimeException e) {
      // Already reported above with the key that caused it.
      return null;
    }
  }

  private static FtpSettings ftp(
      DropzoneConfig.Ftp c, DropzoneConfig.Auth auth, Path baseDir, Problems problems) {
    problems.check(!blank(c.bind()), "ftp.bind", c.bind(), "must be an address like 0.0.0.0");
    problems.check(validPort(c.port()), "ftp.port", c.port(), "is not a port (0-65535)");
    problems.check(
        PortRanges.isValid(c.passivePorts()),
        "ftp.passivePorts",
        c.passivePorts(),
        "is not a port range (e.g. 50000-50100, or 0 for any free port)");
    positive(problems, "ftp.idleTimeout", c.idleTimeout());
    positive(problems, "ftp.loginTimeout", c.loginTimeout());
    positive(problems, "ftp.banDuration", c.banDuration());
    notNegative(problems, "ftp.loginFailureDelay", c.loginFailureDelay());
    notNegative(problems, "ftp.shutdownGrace", c.shutdownGrace());
    positive(problems, "ftp.dataConnectTimeout", c.dataConnectTimeout());
    atLeastOne(problems, "ftp.maxConnections", c.maxConnections());
    atLeastOne(problems, "ftp.maxConnectionsPerIp", c.maxConnectionsPerIp());
    atLeastOne(problems, "ftp.maxPreLoginConnections", c.maxPreLoginConnections());
    atLeastOne(problems, "ftp.maxPreLoginConnectionsPerIp", c.maxPreLoginConnectionsPerIp());
    problems.check(
        c.maxNewConnectionsPerIpPerMinute() >= 0,
        "ftp.maxNewConnectionsPerIpPerMinute",
        c.maxNewConnectionsPerIpPerMinute(),
        "must be ≥ 0 (0: no limit)");
    boolean prefixValid =
        problems.check(
            c.ipv6PrefixLength() >= ClientNetworks.MIN_PREFIX_LENGTH && c.ipv6PrefixLength() <= 128,
            "ftp.ipv6PrefixLength",
            c.ipv6PrefixLength(),
            "must be "
                + ClientNetworks.MIN_PREFIX_LENGTH
                + " to 128 (64: one /64 network counts as one client; 128: each address alone)");
    atLeastOne(problems, "ftp.maxLoginFailures", c.maxLoginFailures());
    atLeastOne(problems, "ftp.maxLoginFailuresPerUser", c.maxLoginFailuresPerUser());
    problems.check(
        auth.maxConcurrentChecks() == null || auth.maxConcurrentChecks() >= 1,
        "auth.maxConcurrentChecks",
        auth.maxConcurrentChecks(),
        "must be ≥ 1, or empty (~) to derive it from the heap");
    positive(problems, "auth.checkQueueTimeout", auth.checkQueueTimeout());
    atLeastOne(problems, "ftp.maxThreads", c.maxThreads());
    atLeastOne(problems, "ftp.maxTransfers", c.maxTransfers());
    positive(problems, "ftp.dataIdleTimeout", c.dataIdleTimeout());
    notNegative(problems, "ftp.uploadSettleTime", c.uploadSettleTime());
    atLeastOne(problems, "ftp.modeZ.maxRatio", c.modeZ().maxRatio());
    atLeastOne(problems, "ftp.refusedCommands.burst", c.refusedCommands().burst());
    problems.check(
        c.refusedCommands().perSecond() >= 0,
        "ftp.refusedCommands.perSecond",
        c.refusedCommands().perSecond(),
        "must be ≥ 0 (0: refused commands are never slowed down)");
    problems.check(
        c.maxCommandLength() >= 512,
        "ftp.maxCommandLength",
        c.maxCommandLength(),
        "must be ≥ 512 (RFC 959 allows commands of that size)");
    FtpSettings.Tls tls = tls(c.tls(), baseDir, problems);
    return new FtpSettings(
        blank(c.bind()) ? "127.0.0.1" : c.bind(),
        c.port(),
        c.passivePorts() == null ? "" : c.passivePorts(),
        blank(c.passiveAddress()) ? null : c.passiveAddress(),
        c.activeMode(),
        c.idleTimeout(),
        c.loginTimeout(),
        c.maxConnections(),
        c.maxConnectionsPerIp(),
        c.maxLoginFailures(),
        c.banDuration(),
        c.loginFailureDelay(),
        c.maxThreads(),
        c.maxCommandLength(),
        c.shutdownGrace(),
        c.dataConnectTimeout(),
        tls,
        new FtpSettings.Transfers(
            c.maxTransfers(), c.dataIdleTimeout(), c.modeZ().maxRatio(), c.uploadSettleTime()),
        new FtpSettings.LoginLimits(
            c.maxPreLoginConnections(),
            c.maxPreLoginConnectionsPerIp(),
            c.maxLoginFailuresPerUser(),
            auth.maxConcurrentChecks() == null ? 0 : auth.maxConcurrentChecks(),
            auth.checkQueueTimeout(),
            prefixValid ? new ClientNetworks(c.ipv6PrefixLength()) : ClientNetworks.DEFAULT,
            c.maxNewConnectionsPerIpPerMinute(),
            new RefusalPace.Pace(
                Math.max(1, c.refusedCommands().burst()),
                Math.max(0, c.refusedCommands().perSecond()))));
  }

  private static FtpSettings.Tls tls(DropzoneConfig.Tls c, Path baseDir, Problems problems) {
    boolean pem = !blank(c.certificate()) || !blank(c.privateKey());
    boolean keystore = !blank(c.keystore());
    if (!pem && !keystore) {
      problems.check(
          !c.required(),
          "ftp.tls.required",
          true,
          "needs a certificate: set ftp.tls.certificate and ftp.tls.privateKey, or"
              + " ftp.tls.keystore");
      problems.check(
          c.implicitPort() == -1,
          "ftp.tls.implicitPort",
          c.implicitPort(),
          "needs a certificate: set ftp.tls.certificate and ftp.tls.privateKey, or"
              + " ftp.tls.keystore");
      return null;
    }
    if (pem && keystore) {
      problems.add(
          "ftp.tls.keystore",
          "give either ftp.tls.keystore or ftp.tls.certificate + ftp.tls.privateKey, not both");
    }
    if (pem && (blank(c.certificate()) || blank(c.privateKey()))) {
      problems.add(
          blank(c.certificate()) ? "ftp.tls.certificate" : "ftp.tls.privateKey",
          "is missing: PEM TLS needs both ftp.tls.certificate and ftp.tls.privateKey");
    }
    if (keystore && (c.keystorePassword() == null || c.keystorePassword().isEmpty())) {
      problems.add("ftp.tls.keystorePassword", "is required with ftp.tls.keystore");
    }
    problems.check(
        c.implicitPort() >= -1 && c.implicitPort() <= 65535,
        "ftp.tls.implicitPort",
        c.implicitPort(),
        "is not a port (0-65535, or -1 for no implicit FTPS)");
    List<String> protocols = AuthSection.commaSeparated(c.protocols());
    for (String protocol : protocols) {
      problems.check(
          FtpSettings.DEFAULT_PROTOCOLS.contains(protocol),
          "ftp.tls.protocols",
          protocol,
          "is not allowed: list TLSv1.3 and/or TLSv1.2 (older versions are broken)");
    }
    if (protocols.isEmpty()) {
      problems.add("ftp.tls.protocols", "must list TLSv1.3 and/or TLSv1.2");
    }
    return new FtpSettings.Tls(
        readable(problems, "ftp.tls.certificate", c.certificate(), baseDir),
        readable(problems, "ftp.tls.privateKey", c.privateKey(), baseDir),
        readable(problems, "ftp.tls.keystore", c.keystore(), baseDir),
        c.keystorePassword() == null || c.keystorePassword().isEmpty()
            ? null
            : c.keystorePassword().reveal().toCharArray(),
        c.required(),
        c.implicitPort(),
        protocols,
        c.requireSessionReuse());
  }

  private static Path readable(Problems problems, String key, String value, Path baseDir) {
    if (blank(value)) {
      return null;
    }
    Path path = baseDir.resolve(value);
    problems.check(Files.isReadable(path), key, path, "does not exist or is not readable");
    return path;
  }

  private static boolean validPort(int port) {
    return port >= 0 && port <= 65535;
  }

  private static void positive(Problems problems, String key, Duration d) {
    problems.check(positive(d), key, format(d), "must be longer than 0");
  }

  private static void notNegative(Problems problems, String key, Duration d) {
    problems.check(d != null && !d.isNegative(), key, format(d), "must not be negative");
  }

  private static void atLeastOne(Problems problems, String key, int value) {
    problems.check(value >= 1, key, value, "must be ≥ 1");
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static String format(Duration d) {
    return d == null ? "" : Durations.format(d);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
