package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported password hash is paid by every login with its name, right password or wrong: the
 * users file refuses hashes beyond the bounds, and the Argon2id checks running at once hold no more
 * memory together than the password checks' share of the heap.
 */
class HashCostTest {

  @TempDir Path dir;

  /** A well-formed Argon2id hash with these parameters; only read, never computed. */
  private static String argon2id(int memoryKib, int iterations, int lanes) {
    return "$argon2id$v=19$m="
        + memoryKib
        + ",t="
        + iterations
        + ",p="
        + lanes
        + "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  }

  @Test
  void hashesBeyondTheBoundsAreNamedWithWhatTheyAskAndTheMost() {
    assertThat(PasswordHashes.tooCostly(argon2id(19 * 1024, 2, 1))).isNull();
    // SFTPGo's defaults and RFC 9106's second recommendation fit.
    assertThat(PasswordHashes.tooCostly(argon2id(64 * 1024, 1, 2))).isNull();
    assertThat(PasswordHashes.tooCostly(argon2id(64 * 1024, 3, 4))).isNull();
    assertThat(PasswordHashes.tooCostly(argon2id(2 * 1024 * 1024, 1, 4)))
        .isEqualTo(
            "its Argon2id parameters (m=2097152 KiB, t=1, p=4, 32-byte output) exceed what a login"
                + " may cost here (m=262144, t=10, p=8, 64 bytes)");
    assertThat(PasswordHashes.tooCostly(argon2id(19 * 1024, 11, 1))).contains("t=11");
    assertThat(PasswordHashes.tooCostly(argon2id(19 * 1024, 2, 9))).contains("p=9");
    String bcrypt14 = "$2b$14$" + "a".repeat(53);
    String bcrypt15 = "$2b$15$" + "a".repeat(53);
    assertThat(PasswordHashes.tooCostly(bcrypt14)).isNull();
    assertThat(PasswordHashes.tooCostly(bcrypt15))
        .isEqualTo("its bcrypt cost 15 exceeds what a login may cost here (14)");
  }

  @Test
  void aTooCostlyHashRefusesOnlyItsUserWhoseNewPasswordThenWorks() throws Exception {
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path,
        "users:\n  - name: carol\n    passwordHash: '"
            + argon2id(1024 * 1024, 1, 1)
            + "'\n  - name: dave\n    passwordHash: '"
            + PasswordHashes.hash("daves password".toCharArray())
            + "'\n");
    UsersFile file = new UsersFile(path);
    List<String> checked = new ArrayList<>();
    FileAuthenticator auth =
        checkingWith(
            file,
            (password, stored) -> {
              checked.add(stored);
              return PasswordHashes.matches(password, stored);
            });
    try (LogCapture log = LogCapture.of(FileAuthenticator.class.getName())) {
      // Refused as a wrong password would be, at a standard check's cost: nobody learns the name.
      assertThat(auth.authenticate("carol", "anything".toCharArray())).isEmpty();
      assertThat(checked).singleElement().asString().startsWith("$argon2id$v=19$m=19456,");
      assertThat(log.lines())
          .contains(
              "WARN User 'carol' of "
                  + path
                  + " cannot log in (every attempt is refused as a wrong password): its"
                  + " passwordHash is refused: its Argon2id parameters (m=1048576 KiB, t=1, p=1,"
                  + " 32-byte output) exceed what a login may cost here (m=262144, t=10, p=8, 64"
                  + " bytes); set a new password with 'dropzone users passwd carol'");
    }
    assertThat(auth.authenticate("dave", "daves password".toCharArray())).isPresent();

    // What the message says to do works on that file.
    file.put(UserEntry.of("carol", PasswordHashes.hash("carols password".toCharArray())));
    assertThat(auth.authenticate("carol", "carols password".toCharArray())).isPresent();
  }

  @Test
  void aHashNeedingMoreThanTheChecksShareFailsAsUnavailableNotAsAWrongPassword() throws Exception {
    String hash =
        Argon2idHash.create("correct horse".toCharArray(), 4096, 1, 1, 16, 32, new SecureRandom())
            .format();
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", hash)));
    HashMemory small = new HashMemory(1024, Duration.ofSeconds(10));
    FileAuthenticator auth =
        checkingWith(file, (password, stored) -> PasswordHashes.matches(password, stored, small));

    assertThatThrownBy(() -> auth.authenticate("alice", "correct horse".toCharArray()))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessage(
            "user 'alice' cannot log in now: its Argon2id check needs 4096 KiB, more than the 1024"
                + " KiB password checks may use at once (an eighth of the heap); give the JVM"
                + " more heap (-Xmx) or set a new password with 'dropzone users passwd alice'");
    HashMemory enough = new HashMemory(4096, Duration.ofSeconds(10));
    assertThat(PasswordHashes.matches("correct horse".toCharArray(), hash, enough)).isTrue();
    assertThat(PasswordHashes.matches("wrong".toCharArray(), hash, enough)).isFalse();
    assertThat(enough.freeKib()).as("every reservation given back").isEqualTo(4096);
  }

  @Test
  void anUnknownNameWhileTheChecksAreBusyIsUnavailableAsAKnownOneIs() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash("correct horse".toCharArray()))));
    HashMemory busy = new HashMemory(PasswordHashes.MEMORY_KIB, Duration.ofMillis(100));
    FileAuthenticator auth =
        checkingWith(file, (password, stored) -> PasswordHashes.matches(password, stored, busy));
    try (HashMemory.Reservation taken = busy.reserve(PasswordHashes.MEMORY_KIB)) {
      for (String name : new String[] {"alice", "mallory"}) {
        assertThatThrownBy(() -> auth.authenticate(name, "guess".toCharArray()))
            .as(name)
            .isInstanceOf(AuthenticationUnavailableException.class)
            .hasMessageContaining("waited 0 s for 19456 KiB");
      }
    }
  }

  @Test
  void aHashLargerThanTheChecksShareIsRefusedLikeAnyOther() {
    HashMemory small = new HashMemory(1024, Duration.ofSeconds(10));
    assertThat(PasswordHashes.refusal(argon2id(4096, 1, 1), small))
        .isEqualTo(
            "its Argon2id check needs 4096 KiB, more than the 1024 KiB password checks may use at"
                + " once (an eighth of the heap)");
    assertThat(PasswordHashes.refusal(argon2id(1024, 1, 1), small)).isNull();
    assertThat(PasswordHashes.refusal("$2a$1x$" + "a".repeat(53)))
        .startsWith("it cannot be read as a bcrypt hash");
    assertThat(PasswordHashes.refusal("$2b$10$" + "a".repeat(52)))
        .startsWith("it cannot be read as a bcrypt hash");
    assertThat(PasswordHashes.refusal("$2b$10$" + "a".repeat(53))).isNull();
  }

  @Test
  void aStandardCheckNeverWaitsBehindALargeOneThatDoesNotFitYet() throws Exception {
    HashMemory memory = new HashMemory(64, Duration.ofSeconds(10));
    HashMemory.Reservation first = memory.reserve(19);
    HashMemory.Reservation second = memory.reserve(19);
    HashMemory.Reservation third = memory.reserve(19);
    CompletableFuture<HashMemory.Reservation> large =
        CompletableFuture.supplyAsync(() -> memory.reserve(48));
    await().atMost(Duration.ofSeconds(10)).until(() -> memory.waiting() == 1);
    CompletableFuture<HashMemory.Reservation> standard =
        CompletableFuture.supplyAsync(() -> memory.reserve(19));
    await().atMost(Duration.ofSeconds(10)).until(() -> memory.waiting() == 2);
    first.close();
    // 26 KiB free: the standard check fits and goes; the large one keeps waiting.
    standard.get(5, TimeUnit.SECONDS).close();
    assertThat(large).isNotDone();
    second.close();
    third.close();
    large.get(5, TimeUnit.SECONDS).close();
    assertThat(memory.freeKib()).isEqualTo(64);
  }

  @Test
  void checksThatTogetherNeedMoreThanTheShareTakeTurnsAndWaitAtMostTheirTime() throws Exception {
    HashMemory memory = new HashMemory(30 * 1024, Duration.ofSeconds(10));
    HashMemory.Reservation first = memory.reserve(19 * 1024);
    CompletableFuture<HashMemory.Reservation> second =
        CompletableFuture.supplyAsync(() -> memory.reserve(19 * 1024));
    assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    first.close();
    second.get(10, TimeUnit.SECONDS).close();
    assertThat(memory.freeKib()).isEqualTo(30 * 1024);

    HashMemory impatient = new HashMemory(30 * 1024, Duration.ofMillis(200));
    try (HashMemory.Reservation held = impatient.reserve(19 * 1024)) {
      assertThatThrownBy(() -> impatient.reserve(19 * 1024))
          .isInstanceOf(HashMemory.UnavailableException.class)
          .hasMessage(
              "its Argon2id check waited 0 s for 19456 KiB of the password checks' memory while"
                  + " others used it");
    }
    assertThat(impatient.freeKib()).isEqualTo(30 * 1024);
  }

  /** An authenticator of {@code file} that checks with {@code check} and remembers nothing. */
  private static FileAuthenticator checkingWith(UsersFile file, PasswordCheck check) {
    return new FileAuthenticator(file, Duration.ZERO, check, System::nanoTime);
  }
}
