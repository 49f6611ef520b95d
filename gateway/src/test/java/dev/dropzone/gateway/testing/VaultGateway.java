package dev.dropzone.gateway.testing;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gateway with its admin endpoint on, configured as an operator would, in front of the in-process
 * S3 server and the Vault Transit protocol server: both real servers that a test can stop and
 * restart on their ports. Users {@code alice} and {@code bob} have the password {@code
 * <name>-password}.
 */
public final class VaultGateway implements BeforeEachCallback, AfterEachCallback {

  public static final String BUCKET = "gateway";

  private Path dir;
  private S3ProxyFixture s3;
  private VaultTransitProtocolServer vault;
  private GatewayRuntime runtime;

  /** Starts the services before each test; the test starts the gateway with {@link #start}. */
  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("dropzone-gateway-test");
    s3 = S3ProxyFixture.inMemory();
    s3.bucket(BUCKET, "");
    vault = VaultTransitProtocolServer.start("transit", "s.token");
    vault.createKey("dropzone", false);
  }

  /** Stops the gateway and the services, and deletes the configuration directory. */
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    stopGateway();
    vault.close();
    s3.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** The directory the gateway's configuration files (users file) are in. */
  public Path dir() {
    return dir;
  }

  /**
   * Starts (or restarts) the gateway with {@code extra} over the test defaults: ephemeral ports,
   * the admin endpoint on with every readiness check run on every probe, one short attempt per
   * key-service call.
   */
  public VaultGateway start(Map<String, String> extra) throws Exception {
    stopGateway();
    Map<String, String> values = new HashMap<>();
    values.put("s3.endpoint", s3.endpoint().toString());
    values.put("s3.bucket", BUCKET);
    values.put("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY);
    values.put("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY);
    values.put("s3.partSize", "5MiB");
    values.put("keys.provider", "vault");
    values.put("keys.vault.address", vault.uri().toString());
    values.put("keys.vault.key", "dropzone");
    values.put("keys.http.maxAttempts", "1");
    values.put("keys.http.connectTimeout", "1s");
    values.put("keys.http.requestTimeout", "2s");
    values.put("ftp.port", "0");
    values.put("ftp.passivePorts", "0");
    values.put("admin.enabled", "true");
    values.put("admin.port", "0");
    values.put("admin.checkCacheTtl", "0s");
    values.put("admin.checkTimeout", "5s");
    values.putAll(extra);
    GatewaySettings settings =
        new ConfigLoader()
            .environment(Map.of("DROPZONE_KEYS_VAULT_TOKEN", "s.token"))
            .overrides(values, "test")
            .settings(dir);
    UsersFile users = new UsersFile(settings.usersFile());
    users.write(
        List.of(
            UserEntry.of("alice", PasswordHashes.hash("alice-password".toCharArray())),
            UserEntry.of("bob", PasswordHashes.hash("bob-password".toCharArray()))));
    runtime = GatewayRuntime.start(settings, new FileAuthenticator(users));
    return this;
  }

  /** A Commons Net client logged in as {@code user}, passive and binary. */
  public FTPClient login(String user) throws Exception {
    FTPClient ftp = new FTPClient();
    ftp.connect("127.0.0.1", runtime.ftpPort());
    if (!ftp.login(user, user + "-password")) {
      throw new AssertionError("login of " + user + ": " + ftp.getReplyString());
    }
    ftp.enterLocalPassiveMode();
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    return ftp;
  }

  public GatewayRuntime runtime() {
    return runtime;
  }

  public S3ProxyFixture s3() {
    return s3;
  }

  public VaultTransitProtocolServer vault() {
    return vault;
  }

  /** Stops the gateway gracefully, leaving the services running. */
  public void stopGateway() {
    if (runtime != null) {
      runtime.close();
      runtime = null;
    }
  }

  /** Forgets a gateway the test closed itself. */
  public void forgetGateway() {
    runtime = null;
  }
}
