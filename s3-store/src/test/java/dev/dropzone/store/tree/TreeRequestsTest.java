package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class TreeRequestsTest {

  @Test
  void checksRunOnTheirOwnDaemonThreadsAndReportTheirFailure() throws Exception {
    try (TreeRequests checks = new TreeRequests(2)) {
      CompletableFuture<Thread> ranOn = new CompletableFuture<>();
      checks.start(() -> ranOn.complete(Thread.currentThread())).get();
      assertThat(ranOn.get().getName()).startsWith("dz-tree-request-");
      assertThat(ranOn.get().isDaemon()).isTrue();

      StoreException refused = new StoreException(Reason.NOT_A_FILE, "Is a directory");
      CompletableFuture<Void> failed =
          checks.start(
              () -> {
                throw refused;
              });
      assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class).hasCause(refused);
    }
  }

  @Test
  void moreChecksThanThreadsWaitInsteadOfBeingRefused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<Void>> started = new ArrayList<>();
    try (TreeRequests checks = new TreeRequests(1)) {
      for (int i = 0; i < 5; i++) {
        started.add(
            checks.start(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    throw new StoreException(Reason.ABORTED, "interrupted", e);
                  }
                }));
      }
      assertThat(started).noneMatch(CompletableFuture::isDone);
      release.countDown();
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get();
    }
  }

  @Test
  void aClosedStoreStartsNoCheck() {
    TreeRequests checks = new TreeRequests(1);
    checks.close();

    assertThatThrownBy(() -> checks.start(() -> {}))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED))
        .hasMessage("The store is shutting down");
  }
}
