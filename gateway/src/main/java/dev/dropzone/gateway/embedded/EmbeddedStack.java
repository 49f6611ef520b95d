package dev.dropzone.gateway.embedded;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.local.LocalKeyService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything on one machine with no external server: S3Proxy on the filesystem under {@code
 * <data-dir>/s3}, the local key service with {@code <data-dir>/keys/master-keyset.json}, users in
 * {@code <data-dir>/users.yaml}, and the FTP gateway with FTPS (explicit on the control port,
 * implicit on its own port) under a self-signed certificate in {@code <data-dir>/tls}. Restarting
 * on the same data directory keeps the objects, the keys, the certificate and the S3 credentials.
 * Bound to anything but a loopback address, the gateway refuses logins without TLS.
 */
public final class EmbeddedStack implements AutoCloseable {

  public static final String BUCKET = "dropzone";
  public static final String REGION = "us-east-1";
  public static final String DEMO_USER = "demo";
  private static final String CREDENTIALS_FILE = "embedded.yaml";

  /** The longest name the embedded S3 server can store (see {@link #settings}). */
  public static final int EMBEDDED_MAX_NAME_BYTES = 200;

  /** The master keyset, relative to the data directory. */
  static final String KEYSET_FILE = "keys/master-keyset.json";

  /**
   * What {@code dropzone embedded} was asked for.
   *
   * @param ftpsPort implicit FTPS port (0 = any free port, -1 = none)
   * @param users users to create or whose password to set, name → password
   * @param adminPort port of the admin endpoint on 127.0.0.1 (0 = any free port, -1 = none)
   */
  public record Options(
      Path dataDir,
      String bind,
      int port,
      String passivePorts,
      int ftpsPort,
      int s3Port,
      Map<String, char[]> users,
      int adminPort) {

    /** Options with the admin endpoint on any free port. */
    public Options(
        Path dataDir,
        String bind,
        int port,
        String passivePorts,
        int ftpsPort,
        int s3Port,
        Map<String, char[]> users) {
      this(dataDir, bind, port, passivePorts, ftpsPort, s3Port, users, 0);
    }
  }

  private final EmbeddedS3 s3;
  private final GatewayRuntime runtime;
  private final EmbeddedCredentials credentials;
  private final Path dataDir;
  private final String ftpUser;
  private final Optional<String> generatedPassword;
  private final String host;
  private final EmbeddedCertificate certificate;
  private final boolean tlsRequired;

  private EmbeddedStack(
      EmbeddedS3 s3,
      GatewayRuntime runtime,
      EmbeddedCredentials credentials,
      Path dataDir,
      String ftpUser,
      Optional<String> generatedPassword,
      String host,
      EmbeddedCertificate certificate,
      boolean tlsRequired) {
    this.s3 = s3;
    this.runtime = runtime;
    this.credentials = credentials;
    this.dataDir = dataDir;
    this.ftpUser = ftpUser;
    this.generatedPassword = generatedPassword;
    this.host = host;
    this.certificate = certificate;
    this.tlsRequired = tlsRequired;
  }

  public static EmbeddedStack start(Options options)
      throws IOException, KeyServiceException, ConfigException {
    Path dataDir = options.dataDir().toAbsolutePath().normalize();
    createPrivateDirectory(dataDir);
    UsersFile users = new UsersFile(dataDir.resolve("users.yaml"));
    applyRequestedUsers(users, options.users());
    String firstUser =
        options.users().isEmpty()
            ? users.read().stream().findFirst().map(UserEntry::name).orElse(DEMO_USER)
            : options.users().keySet().iterator().next();

    EmbeddedCredentials credentials =
        EmbeddedCredentials.loadOrCreate(dataDir.resolve(CREDENTIALS_FILE));
    // Embedded mode is the one place besides 'keys init' that makes a master key: its own, on
    // the first start.
    LocalKeyService.open(dataDir.resolve(KEYSET_FILE));
    EmbeddedCertificate certificate =
        EmbeddedCertificate.loadOrCreate(dataDir.resolve("tls"), options.bind());
    EmbeddedS3 s3 = EmbeddedS3.start(dataDir.resolve("s3"), options.s3Port(), BUCKET, credentials);
    GatewayRuntime runtime = null;
    try {
      GatewaySettings settings =
          settings(options, dataDir, s3.endpoint(), credentials, certificate);
      runtime =
          GatewayRuntime.start(
              settings, new FileAuthenticator(users, settings.auth().credentialCacheTtl()));
      // Only now that everything runs: a start that failed after making the demo user would have
      // lost its password, which is shown once and stored nowhere.
      Optional<String> generated =
          options.users().isEmpty() ? createDemoUserIfNone(users) : Optional.empty();
      return new EmbeddedStack(
          s3,
          runtime,
          credentials,
          dataDir,
          firstUser,
          generated,
          displayHost(options.bind()),
          certificate,
          !isLoopback(options.bind()));
    } catch (IOException | KeyServiceException | ConfigException | RuntimeException e) {
      if (runtime != null) {
        runtime.close();
      }
      s3.close();
      throw e;
    }
  }

  /** Applies {@code --user} entries, keeping an existing user's home and permissions. */
  private static void applyRequestedUsers(UsersFile users, Map<String, char[]> requested)
      throws IOException {
    for (Map.Entry<String, char[]> user : requested.entrySet()) {
      String hash = PasswordHashes.hash(user.getValue());
      UserEntry entry =
          users
              .find(user.getKey())
              .map(existing -> existing.withPasswordHash(hash))
              .orElseGet(() -> UserEntry.of(user.getKey(), hash));
      users.put(entry);
    }
  }

  /**
   * Creates the demo user with a random password when there are no users at all.
   *
   * @return the generated password, to be shown once
   */
  private static Optional<String> createDemoUserIfNone(UsersFile users) throws IOException {
    if (!users.read().isEmpty()) {
      return Optional.empty();
    }
    String password = randomPassword();
    users.write(List.of(UserEntry.of(DEMO_USER, PasswordHashes.hash(password.toCharArray()))));
    return Optional.of(password);
  }

  private static GatewaySettings settings(
      Options options,
      Path dataDir,
      URI endpoint,
      EmbeddedCredentials credentials,
      EmbeddedCertificate certificate)
      throws ConfigException {
    // The same layers and validation as 'serve', so embedded mode cannot drift from production.
    Map<String, String> values = new LinkedHashMap<>();
    values.put("s3.endpoint", endpoint.toString());
    values.put("s3.region", REGION);
    values.put("s3.bucket", BUCKET);
    values.put("s3.accessKeyId", credentials.accessKey());
    values.put("s3.secretAccessKey", credentials.secretKey());
    // The embedded S3 server keeps each object as a file named like its last segment, plus up to
    // ~42 bytes for its temporary and part files, under the file system's 255-byte NAME_MAX.
    values.put("s3.maxNameBytes", Integer.toString(EMBEDDED_MAX_NAME_BYTES));
    values.put("keys.keysetFile", KEYSET_FILE);
    values.put("users.file", "users.yaml");
    values.put("ftp.bind", options.bind());
    values.put("ftp.port", Integer.toString(options.port()));
    values.put("ftp.passivePorts", options.passivePorts());
    values.put("ftp.tls.certificate", certificate.certificate().toString());
    values.put("ftp.tls.privateKey", certificate.privateKey().toString());
    values.put("ftp.tls.implicitPort", Integer.toString(options.ftpsPort()));
    values.put("ftp.tls.required", Boolean.toString(!isLoopback(options.bind())));
    // On loopback only, whatever the FTP bind address: without a token it must not be public.
    values.put("admin.enabled", Boolean.toString(options.adminPort() >= 0));
    values.put("admin.bind", "127.0.0.1");
    values.put("admin.port", Integer.toString(Math.max(0, options.adminPort())));
    return GatewaySettings.from(
        new ConfigLoader().overrides(values, "embedded mode").load(), dataDir);
  }

  /** {@code ftp://demo@127.0.0.1:2121/} */
  public String ftpUrl() {
    return "ftp://" + ftpUser + "@" + host + ":" + runtime.ftpPort() + "/";
  }

  public int ftpPort() {
    return runtime.ftpPort();
  }

  /** The implicit FTPS port, or -1 when there is none. */
  public int ftpsPort() {
    return runtime.implicitTlsPort();
  }

  /** The admin endpoint's port, or -1 when it is off. */
  public int adminPort() {
    return runtime.adminPort();
  }

  /** The self-signed certificate FTPS presents. */
  public EmbeddedCertificate certificate() {
    return certificate;
  }

  /** Whether logins without TLS are refused (any bind address but a loopback one). */
  public boolean tlsRequired() {
    return tlsRequired;
  }

  public URI s3Endpoint() {
    return s3.endpoint();
  }

  public EmbeddedCredentials s3Credentials() {
    return credentials;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The demo user's password when this start created it; shown once, never stored. */
  public Optional<String> generatedPassword() {
    return generatedPassword;
  }

  /**
   * The lines printed at start: one per endpoint. The S3 secret key is not among them (start-up
   * output ends up in logs and journals): the line names the owner-only file that holds it.
   */
  public List<String> endpointLines() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "FTP: "
            + ftpUrl()
            + (tlsRequired() ? " (FTPS only: AUTH TLS on this port)" : " (FTPS: AUTH TLS)"));
    if (ftpsPort() >= 0) {
      lines.add("FTPS: ftps://" + ftpUser + "@" + host + ":" + ftpsPort() + "/ (implicit TLS)");
    }
    lines.add(
        "TLS certificate: "
            + certificate.certificate()
            + " SHA-256 "
            + certificate.fingerprint()
            + " (self-signed)");
    lines.add(
        "S3: "
            + s3.endpoint()
            + " bucket="
            + BUCKET
            + " access-key="
            + credentials.accessKey()
            + " region="
            + REGION
            + " secret-key: secretKey in "
            + credentialsFile());
    runtime.adminUrl().ifPresent(url -> lines.add("Admin: " + url + " (metrics, healthz, readyz)"));
    return lines;
  }

  /** The owner-only file holding the embedded S3 server's credentials. */
  public Path credentialsFile() {
    return dataDir.resolve(CREDENTIALS_FILE);
  }

  public void awaitStopped() throws InterruptedException {
    runtime.awaitStopped();
  }

  /** Stops the gateway gracefully, then the S3 server it writes to. */
  @Override
  public void close() {
    runtime.close();
    s3.close();
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String displayHost(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
  }

  private static String randomPassword() {
    // Letters and digits only, so the password can go into a URL without escaping.
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
