package dev.dropzone.kek.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.format.DataKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Checks that many concurrent downloads of one key cost its key service a single request. */
public final class SingleFlight {

  private SingleFlight() {}

  /**
   * Holds {@code server}'s replies while 100 reads of one wrapped key start, then asserts that
   * {@code unwrapOperation} was requested exactly once and every read completed.
   */
  public static void assertOneUnwrapForConcurrentReads(
      KeyService service, ProtocolServer server, String unwrapOperation, String user)
      throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user(user)).get(10, TimeUnit.SECONDS);
    DataKeyCache cache = DataKeyCache.builder(service).build();
    server.hold();

    List<CompletableFuture<DataKey>> downloads = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      downloads.add(
          CompletableFuture.supplyAsync(() -> cache.get(wrapped, KeyBinding.user(user))).join());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.count(unwrapOperation) == 1);
    server.release();

    CompletableFuture.allOf(downloads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(downloads).allSatisfy(download -> assertThat(download).isCompleted());
    assertThat(server.count(unwrapOperation)).isEqualTo(1);
  }
}
