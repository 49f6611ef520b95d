package dev.dropzone.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A Vault outage seen through the real FTP server, configured as an operator would: the gateway is
 * started from {@code keys.provider=vault} settings against the Vault Transit protocol test server,
 * which is stopped mid-run and restarted on the same port.
 */
class KeyServiceOutageThroughFtpTest {

  @TempDir Path dir;

  @Test
  void cachedUserKeepsWorkingNewUserGets451AndRecoversWhenVaultReturns() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        VaultTransitProtocolServer vault = VaultTransitProtocolServer.start("transit", "s.token")) {
      vault.createKey("dropzone", false);
      s3.bucket("outage", "");
      GatewaySettings settings =
          new ConfigLoader()
              .environment(Map.of("DROPZONE_KEYS_VAULT_TOKEN", "s.token"))
              .overrides(
                  Map.ofEntries(
                      Map.entry("s3.endpoint", s3.endpoint().toString()),
                      Map.entry("s3.bucket", "outage"),
                      Map.entry("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY),
                      Map.entry("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY),
                      Map.entry("keys.provider", "vault"),
                      Map.entry("keys.vault.address", vault.uri().toString()),
                      Map.entry("keys.vault.key", "dropzone"),
                      // One attempt, short timeouts: an outage is reported at once, not retried.
                      Map.entry("keys.http.maxAttempts", "1"),
                      Map.entry("keys.http.connectTimeout", "1s"),
                      Map.entry("keys.http.requestTimeout", "2s"),
                      Map.entry("ftp.port", "0"),
                      Map.entry("ftp.passivePorts", "0")),
                  "test")
              .settings(dir);
      UsersFile users = new UsersFile(settings.usersFile());
      users.write(
          List.of(
              UserEntry.of("alice", PasswordHashes.hash("alice-password".toCharArray())),
              UserEntry.of("bob", PasswordHashes.hash("bob-password".toCharArray()))));

      Logger transferKeys =
          (Logger) LoggerFactory.getLogger("dev.dropzone.store.transfer.SessionKeys");
      ListAppender<ILoggingEvent> log = new ListAppender<>();
      log.start();
      transferKeys.addAppender(log);
      try (GatewayRuntime gateway = GatewayRuntime.start(settings, new FileAuthenticator(users))) {
        FTPClient alice = login(gateway, "alice");
        assertThat(store(alice, "before.txt", "written while vault was up")).isTrue();
        int vaultCallsBeforeOutage =
            vault.server().count("encrypt") + vault.server().count("decrypt");

        vault.server().stop();

        assertThat(store(alice, "during.txt", "written during the outage"))
            .as("alice's key is cached: %s", alice.getReplyString())
            .isTrue();
        assertThat(retrieve(alice, "before.txt")).isEqualTo("written while vault was up");
        assertThat(retrieve(alice, "during.txt")).isEqualTo("written during the outage");
        assertThat(alice.rename("during.txt", "renamed.txt")).isTrue();
        assertThat(alice.listNames()).containsExactlyInAnyOrder("before.txt", "renamed.txt");
        assertThat(alice.deleteFile("renamed.txt")).isTrue();
        assertThat(vault.server().count("encrypt") + vault.server().count("decrypt"))
            .as("nothing reached the stopped key service")
            .isEqualTo(vaultCallsBeforeOutage);

        FTPClient bob = login(gateway, "bob");
        assertThat(store(bob, "first.txt", "needs a new key")).isFalse();
        assertThat(bob.getReplyString()).startsWith("451 Key service unavailable");
        assertThat(log.list)
            .as("the operator learns which key service is down")
            .anySatisfy(
                event ->
                    assertThat(event.getFormattedMessage())
                        .contains("Key service unavailable")
                        .contains("vault transit at " + vault.uri()));
        assertThat(bob.makeDirectory("inbox")).isTrue();
        assertThat(bob.listNames()).containsExactly("inbox");

        vault.server().restart();

        assertThat(store(bob, "first.txt", "after recovery"))
            .as("recovery needs no restart: %s", bob.getReplyString())
            .isTrue();
        assertThat(retrieve(bob, "first.txt")).isEqualTo("after recovery");
        alice.disconnect();
        bob.disconnect();
      } finally {
        transferKeys.detachAppender(log);
      }
    }
  }

  private static FTPClient login(GatewayRuntime gateway, String user) throws Exception {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", gateway.ftpPort());
    assertThat(client.login(user, user + "-password")).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static boolean store(FTPClient client, String name, String text) throws Exception {
    return client.storeFile(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String retrieve(FTPClient client, String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(client.retrieveFile(name, out)).as(client.getReplyString()).isTrue();
    return out.toString(StandardCharsets.UTF_8);
  }
}
