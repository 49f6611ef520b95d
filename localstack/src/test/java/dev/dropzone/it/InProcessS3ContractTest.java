package dev.dropzone.it;

import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on the in-process S3-compatible server with the local key service: runs everywhere,
 * including CI without Docker.
 */
class InProcessS3ContractTest extends GatewayContract {

  @TempDir static Path keyDir;

  @Override
  Backend openBackend() throws Exception {
    S3ProxyFixture s3 = S3ProxyFixture.inMemory();
    LocalKeyService keys = LocalKeyService.open(keyDir.resolve("keyset.json"));
    return new Backend(s3.bucket("dropzone", "contract"), keys, LocalKeyService.PROVIDER, s3);
  }
}
