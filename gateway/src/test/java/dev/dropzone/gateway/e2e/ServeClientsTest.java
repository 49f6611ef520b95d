package dev.dropzone.gateway.e2e;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link RealClientsContract} against what {@code serve} runs, started from a configuration file as
 * an operator writes one, with its defaults, on an in-process S3 server that lists directory
 * markers as AWS does.
 */
class ServeClientsTest extends RealClientsContract {

  private static final String PASSWORD = "carol-clients-password";

  private S3ProxyFixture s3;
  private GatewayRuntime runtime;

  @Override
  protected FtpUser start(Path root, Path work) throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3.bucket("served", "dropzone");
    Path config = root.resolve("dropzone.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "s3:",
            "  endpoint: " + s3.endpoint(),
            "  bucket: served",
            "  prefix: dropzone",
            "  accessKeyId: " + S3ProxyFixture.ACCESS_KEY,
            "  secretAccessKey: " + S3ProxyFixture.SECRET_KEY,
            "keys:",
            "  keysetFile: keyset.json",
            "users:",
            "  file: users.yaml",
            "ftp:",
            "  bind: 127.0.0.1",
            "  port: 0",
            "  passivePorts: \"0\"",
            ""));
    GatewaySettings settings = GatewaySettings.from(new ConfigLoader().file(config).load(), root);
    LocalKeyService.create(root.resolve("keyset.json"));
    new UsersFile(settings.usersFile())
        .write(List.of(UserEntry.of("carol", PasswordHashes.hash(PASSWORD.toCharArray()))));
    runtime = GatewayRuntime.start(settings);
    return new FtpUser("carol", PASSWORD, runtime.ftpPort(), work);
  }

  @Override
  protected void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }
}
