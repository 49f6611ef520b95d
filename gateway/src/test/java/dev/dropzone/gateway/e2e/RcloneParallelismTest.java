package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.embedded.EmbeddedStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rclone at its default concurrency (8 checkers, 4 transfers, each on its own FTP connection)
 * against the embedded gateway with the default limits: the per-address connection limit must leave
 * room for it, or rclone fails with {@code 421 Too many connections}.
 */
class RcloneParallelismTest {

  private static final String PASSWORD = "rclone-e2e-password";

  @Test
  void checkWithDownloadAtDefaultConcurrencyFindsNoDifferences(@TempDir Path root)
      throws Exception {
    ClientProcess.requireInstalled("rclone");
    Path local = Files.createDirectories(root.resolve("local"));
    Random random = new Random(11);
    for (int i = 0; i < 48; i++) {
      byte[] content = new byte[20_000 + i * 100];
      random.nextBytes(content);
      Files.write(local.resolve("file-" + i + ".bin"), content);
    }
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                root.resolve("data"),
                "127.0.0.1",
                0,
                "0",
                -1,
                0,
                Map.of("alice", PASSWORD.toCharArray())))) {
      String obscured =
          ClientProcess.run(root, "rclone", "obscure", PASSWORD)
              .assertOk("rclone obscure")
              .output()
              .strip();
      Path config = Files.createFile(root.resolve("rclone.conf"));
      Map<String, String> remote =
          Map.of(
              "RCLONE_CONFIG_DZ_TYPE", "ftp",
              "RCLONE_CONFIG_DZ_HOST", "127.0.0.1",
              "RCLONE_CONFIG_DZ_PORT", Integer.toString(stack.ftpPort()),
              "RCLONE_CONFIG_DZ_USER", "alice",
              "RCLONE_CONFIG_DZ_PASS", obscured);

      ClientProcess.run(
              root,
              remote,
              "rclone",
              "--config",
              config.toString(),
              "copy",
              local.toString(),
              "dz:data")
          .assertOk("rclone copy");
      ClientProcess.Result check =
          ClientProcess.run(
                  root,
                  remote,
                  "rclone",
                  "--config",
                  config.toString(),
                  "check",
                  "--download",
                  local.toString(),
                  "dz:data")
              .assertOk("rclone check --download");

      // A whole number: the output names the server's port, and port 42137 is not a 421 reply.
      assertThat(check.output()).contains("0 differences found").doesNotContainPattern("\\b421\\b");
    }
  }
}
