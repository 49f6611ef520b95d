package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.store.VirtualPath;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KnownDirectoriesTest {

  private final AtomicLong nanos = new AtomicLong();
  private final KnownDirectories known = new KnownDirectories(nanos::get);

  @Test
  void aDirectoryIsRememberedForTheTtlOnly() throws Exception {
    VirtualPath dir = VirtualPath.of("/a");
    assertThat(known.recentlySeen(dir)).isFalse();
    known.seen(dir, known.mark());
    assertThat(known.recentlySeen(dir)).isTrue();
    nanos.addAndGet(KnownDirectories.TTL.toNanos() - 1);
    assertThat(known.recentlySeen(dir)).isTrue();
    nanos.addAndGet(1);
    assertThat(known.recentlySeen(dir)).isFalse();
  }

  @Test
  void forgettingADirectoryForgetsEverythingBelowItAndNothingElse() throws Exception {
    for (String dir : new String[] {"/a", "/a/b", "/a/b/c", "/ab", "/z"}) {
      known.seen(VirtualPath.of(dir), known.mark());
    }
    known.forget(VirtualPath.of("/a"));
    assertThat(known.recentlySeen(VirtualPath.of("/a"))).isFalse();
    assertThat(known.recentlySeen(VirtualPath.of("/a/b"))).isFalse();
    assertThat(known.recentlySeen(VirtualPath.of("/a/b/c"))).isFalse();
    assertThat(known.recentlySeen(VirtualPath.of("/ab"))).isTrue();
    assertThat(known.recentlySeen(VirtualPath.of("/z"))).isTrue();
  }

  @Test
  void aLookupThatOverlappedAForgetIsNotRemembered() throws Exception {
    VirtualPath dir = VirtualPath.of("/d");
    long mark = known.mark();
    known.forget(dir);
    known.seen(dir, mark);
    assertThat(known.recentlySeen(dir)).isFalse();
    known.seen(dir, known.mark());
    assertThat(known.recentlySeen(dir)).isTrue();
  }
}
