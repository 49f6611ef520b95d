package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KnownDirectoriesTest {

  private final AtomicLong nanos = new AtomicLong();
  private final KnownDirectories known = new KnownDirectories(nanos::get);

  @Test
  void aDirectoryIsRememberedForTheTtlOnly() {
    assertThat(known.recentlySeen("h/a/")).isFalse();
    known.seen("h/a/", known.mark());
    assertThat(known.recentlySeen("h/a/")).isTrue();
    nanos.addAndGet(KnownDirectories.TTL.toNanos() - 1);
    assertThat(known.recentlySeen("h/a/")).isTrue();
    nanos.addAndGet(1);
    assertThat(known.recentlySeen("h/a/")).isFalse();
  }

  @Test
  void forgettingADirectoryForgetsEverythingBelowItAndItsParentAndNothingElse() {
    for (String dir : new String[] {"h/", "h/a/", "h/a/b/", "h/a/b/c/", "h/ab/", "h/z/"}) {
      known.seen(dir, known.mark());
    }
    known.forget("h/a/");
    assertThat(known.recentlySeen("h/a/")).isFalse();
    assertThat(known.recentlySeen("h/a/b/")).isFalse();
    assertThat(known.recentlySeen("h/a/b/c/")).isFalse();
    assertThat(known.recentlySeen("h/")).as("its subdirectories changed").isFalse();
    assertThat(known.recentlySeen("h/ab/")).isTrue();
    assertThat(known.recentlySeen("h/z/")).isTrue();
  }

  @Test
  void aLookupThatOverlappedAForgetIsNotRemembered() {
    long mark = known.mark();
    known.forget("h/d/");
    known.seen("h/d/", mark);
    known.listed("h/e/", Set.of(), mark);
    known.created("h/", "f", mark);
    assertThat(known.recentlySeen("h/d/")).isFalse();
    assertThat(known.recentlySeen("h/e/")).isFalse();
    assertThat(known.recentlySeen("h/f/")).isFalse();
    known.seen("h/d/", known.mark());
    assertThat(known.recentlySeen("h/d/")).isTrue();
  }

  @Test
  void aListedDirectoryAnswersWhichNamesAreSubdirectories() {
    assertThat(known.isSubdirectory("h/", "sub")).isEmpty();
    known.seen("h/", known.mark());
    assertThat(known.isSubdirectory("h/", "sub")).as("seen, not listed").isEmpty();

    known.listed("h/", Set.of("sub"), known.mark());

    assertThat(known.isSubdirectory("h/", "sub")).contains(true);
    assertThat(known.isSubdirectory("h/", "file.txt")).contains(false);
    nanos.addAndGet(KnownDirectories.TTL.toNanos());
    assertThat(known.isSubdirectory("h/", "sub")).isEmpty();
  }

  @Test
  void aCreatedDirectoryIsKnownEmptyAndJoinsItsListedParentWithoutOutlivingIt() {
    known.listed("h/", Set.of(), known.mark());
    nanos.addAndGet(KnownDirectories.TTL.toNanos() / 2);

    known.created("h/", "new", known.mark());

    assertThat(known.isSubdirectory("h/", "new")).contains(true);
    assertThat(known.isSubdirectory("h/new/", "anything")).contains(false);
    nanos.addAndGet(KnownDirectories.TTL.toNanos() / 2);
    assertThat(known.isSubdirectory("h/", "new")).as("the parent's lookup has expired").isEmpty();
    assertThat(known.isSubdirectory("h/new/", "anything")).contains(false);
  }

  @Test
  void aListingThatOverlappedACreationIsNotRemembered() {
    long listingStarted = known.mark();
    known.created("h/", "new", known.mark());
    known.listed("h/", Set.of(), listingStarted);
    assertThat(known.isSubdirectory("h/", "new")).as("the listing may have missed it").isEmpty();
    assertThat(known.isSubdirectory("h/new/", "x")).contains(false);
  }

  @Test
  void tooManySubdirectoriesAreRememberedAsSeenOnly() {
    Set<String> many = new HashSet<>();
    for (int i = 0; i <= KnownDirectories.MAX_SUBDIRECTORIES; i++) {
      many.add("d" + i);
    }
    known.listed("h/", many, known.mark());
    assertThat(known.recentlySeen("h/")).isTrue();
    assertThat(known.isSubdirectory("h/", "d1")).isEqualTo(Optional.empty());
  }
}
