package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.password4j.BcryptFunction;
import com.password4j.types.Bcrypt;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuthenticatorTest {

  @TempDir Path dir;

  private static char[] pw(String s) {
    return s.toCharArray();
  }

  @Test
  void acceptsTheRightPasswordAndRejectsWrongOnesAndUnknownUsers() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = new FileAuthenticator(file);

    assertThat(auth.authenticate("alice", pw("correct horse")))
        .contains(new Account("alice", "users/alice", EnumSet.allOf(Permission.class)));
    assertThat(auth.authenticate("alice", pw("wrong"))).isEmpty();
    assertThat(auth.authenticate("bob", pw("correct horse"))).isEmpty();
    assertThat(auth.authenticate("../alice", pw("correct horse"))).isEmpty();
  }

  /** Counts password hash checks: the seam that shows when a login skipped the hash. */
  private final AtomicInteger hashChecks = new AtomicInteger();

  private final AtomicLong nanos = new AtomicLong();

  private FileAuthenticator counting(UsersFile file, Duration ttl) {
    return new FileAuthenticator(
        file,
        ttl,
        (password, hash) -> {
          hashChecks.incrementAndGet();
          return PasswordHashes.matches(password, hash);
        },
        nanos::get);
  }

  @Test
  void aRepeatedLoginWithTheSamePasswordSkipsTheHashUntilTheTtlEnds() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = counting(file, Duration.ofMinutes(5));

    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(hashChecks).as("only the first login hashed").hasValue(1);

    nanos.addAndGet(Duration.ofMinutes(5).plusSeconds(1).toNanos());
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(hashChecks).hasValue(2);
  }

  @Test
  void onlyARecentlyVerifiedPasswordIsAnsweredWithoutAHash() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = counting(file, Duration.ofMinutes(5));
    assertThat(auth.recentlyVerified("alice", pw("correct horse"))).as("never verified").isEmpty();
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(hashChecks).hasValue(1);

    assertThat(auth.recentlyVerified("alice", pw("correct horse")))
        .contains(new Account("alice", "users/alice", EnumSet.allOf(Permission.class)));
    assertThat(auth.recentlyVerified("alice", pw("wrong"))).isEmpty();
    assertThat(auth.recentlyVerified("bob", pw("correct horse"))).isEmpty();
    assertThat(hashChecks).as("answering from memory never hashes").hasValue(1);

    nanos.addAndGet(Duration.ofMinutes(5).plusSeconds(1).toNanos());
    assertThat(auth.recentlyVerified("alice", pw("correct horse"))).as("forgotten").isEmpty();
  }

  @Test
  void wrongPasswordsAndUnknownUsersAlwaysCostAFullCheck() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = counting(file, Duration.ofMinutes(5));
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    hashChecks.set(0);

    for (int i = 0; i < 3; i++) {
      assertThat(auth.authenticate("alice", pw("correct horsf"))).isEmpty();
      assertThat(auth.authenticate("Alice", pw("correct horse"))).isEmpty();
      assertThat(auth.authenticate("mallory", pw("correct horse"))).isEmpty();
    }
    assertThat(hashChecks).as("a failure is never remembered as a success").hasValue(9);
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(hashChecks).hasValue(9);
  }

  @Test
  void aPasswordChangeForgetsTheVerifiedPassword() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(
        List.of(
            UserEntry.of("alice", PasswordHashes.hash(pw("old password"))),
            UserEntry.of("bob", PasswordHashes.hash(pw("bobs password")))));
    FileAuthenticator auth = counting(file, Duration.ofMinutes(5));
    assertThat(auth.authenticate("alice", pw("old password"))).isPresent();
    assertThat(auth.authenticate("bob", pw("bobs password"))).isPresent();

    // What `dropzone users passwd` does.
    file.put(UserEntry.of("alice", PasswordHashes.hash(pw("new password"))));
    hashChecks.set(0);

    assertThat(auth.authenticate("alice", pw("old password"))).isEmpty();
    assertThat(auth.authenticate("alice", pw("new password"))).isPresent();
    assertThat(auth.authenticate("bob", pw("bobs password"))).isPresent();
    assertThat(hashChecks).as("every remembered success was forgotten with the change").hasValue(3);
  }

  @Test
  void aZeroTtlTurnsRememberingOff() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = counting(file, Duration.ZERO);
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();
    assertThat(hashChecks).hasValue(2);
  }

  @Test
  void picksUpChangesToTheFileWithoutRestart() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("first password")))));
    FileAuthenticator auth = new FileAuthenticator(file);
    assertThat(auth.authenticate("alice", pw("first password"))).isPresent();

    file.put(
        new UserEntry(
            "alice", PasswordHashes.hash(pw("second password")), "shared/in", null, true));
    file.put(UserEntry.of("bob", PasswordHashes.hash(pw("bobs password"))));

    assertThat(auth.authenticate("alice", pw("first password"))).isEmpty();
    assertThat(auth.authenticate("alice", pw("second password")))
        .hasValueSatisfying(
            a -> {
              assertThat(a.home()).isEqualTo("shared/in");
              assertThat(a.permissions())
                  .containsExactlyInAnyOrder(Permission.LIST, Permission.READ);
            });
    assertThat(auth.authenticate("bob", pw("bobs password"))).isPresent();

    file.remove("bob");
    assertThat(auth.authenticate("bob", pw("bobs password"))).isEmpty();
  }

  @Test
  void aBrokenFileRefusesEveryLoginInsteadOfKeepingOldUsers() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(List.of(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse")))));
    FileAuthenticator auth = new FileAuthenticator(file);
    assertThat(auth.authenticate("alice", pw("correct horse"))).isPresent();

    Files.writeString(file.path(), "users:\n  - name: alice\n    passwordHash: plaintext!\n");

    assertThatThrownBy(() -> auth.authenticate("alice", pw("correct horse")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("passwordHash is not an Argon2id");
  }

  @Test
  void verifiesBcryptHashesMadeByOtherTools() throws Exception {
    String bcrypt = BcryptFunction.getInstance(Bcrypt.Y, 10).hash("legacy password").getResult();
    assertThat(bcrypt).startsWith("$2y$");
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path,
        "users:\n  - name: carol\n    passwordHash: '"
            + bcrypt
            + "'\n    permissions: [list, read, write]\n");
    FileAuthenticator auth = new FileAuthenticator(new UsersFile(path));

    assertThat(auth.authenticate("carol", pw("legacy password")))
        .hasValueSatisfying(
            a ->
                assertThat(a.permissions())
                    .containsExactlyInAnyOrder(Permission.LIST, Permission.READ, Permission.WRITE));
    assertThat(auth.authenticate("carol", pw("legacy passwort"))).isEmpty();
  }

  @Test
  void theFileIsWrittenOwnerOnlyWithArgon2idHashes() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("sub/users.yaml"));
    file.put(UserEntry.of("alice", PasswordHashes.hash(pw("correct horse"))));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
        .isEqualTo("rw-------");
    String text = Files.readString(file.path());
    assertThat(text).contains("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct horse");
    assertThat(text).contains("- list").contains("- rename");
    try (var siblings = Files.list(file.path().getParent())) {
      assertThat(siblings).containsExactly(file.path());
    }
  }

  @Test
  void invalidNamesAndDuplicatesAreRejectedWithTheReason() throws Exception {
    assertThatThrownBy(() -> UserEntry.of("a/b", PasswordHashes.hash(pw("whatever1"))))
        .hasMessageContaining("user name 'a/b' is not valid");
    Path path = dir.resolve("users.yaml");
    String hash = PasswordHashes.hash(pw("whatever1"));
    Files.writeString(
        path,
        "users:\n  - {name: x, passwordHash: '"
            + hash
            + "'}\n  - {name: x, passwordHash: '"
            + hash
            + "'}\n");
    assertThatThrownBy(() -> new UsersFile(path).read())
        .isInstanceOf(InvalidUsersFileException.class)
        .hasMessageContaining("user 'x' appears more than once");
    Files.writeString(path, "users:\n  - {name: z, passwordHash: '" + hash + "', home: ../z}\n");
    assertThatThrownBy(() -> new UsersFile(path).read())
        .isInstanceOf(InvalidUsersFileException.class)
        .hasMessageContaining("user 'z': home '../z'");
    Files.writeString(path, "users:\n  - {name: y, passwordHash: '" + hash + "', colour: red}\n");
    assertThatThrownBy(() -> new UsersFile(path).read())
        .isInstanceOf(InvalidUsersFileException.class)
        .hasMessageContaining("users[0].colour");
  }

  @Test
  void loginsAreTakenBackWhenTheirUserOrGroupIsNarrowedButNotForMoreOrForLimits() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    String hash = PasswordHashes.hash(pw("correct horse"));
    UserEntry alice = UserEntry.of("alice", hash);
    UserEntry member = new UserEntry("member", hash, null, null, false, null, null, "staff");
    GroupEntry staff = new GroupEntry("staff", null, false, null, null, null);
    file.write(new UsersFile.Contents(List.of(alice, member), List.of(staff)));
    FileAuthenticator auth = new FileAuthenticator(file);
    long before = auth.mark();
    Account aliceAccount = auth.authenticate("alice", pw("correct horse")).orElseThrow();
    Account memberAccount = auth.authenticate("member", pw("correct horse")).orElseThrow();
    String changed =
        "changed in the users file (new password, home, fewer permissions or other scanning)";

    // Rewritten unchanged (a new file, so it is read again), then with a higher session limit
    // and the group's quota: nothing is taken back, limits apply from the next login.
    file.write(new UsersFile.Contents(List.of(alice, member), List.of(staff)));
    assertThat(auth.hasUser("alice")).isTrue();
    file.write(
        new UsersFile.Contents(
            List.of(new UserEntry("alice", hash, null, null, false, 5, null, null), member),
            List.of(
                new GroupEntry(
                    "staff", null, false, null, new UserEntry.Quota("1GiB", null), null))));
    assertThat(auth.revoked(aliceAccount, before)).isEmpty();
    assertThat(auth.revoked(memberAccount, before)).isEmpty();

    // The group becomes read-only: its member's session ends, not alice's.
    file.write(
        new UsersFile.Contents(
            List.of(alice, member),
            List.of(new GroupEntry("staff", null, true, null, null, null))));
    assertThat(auth.revoked(memberAccount, before)).contains(changed);
    assertThat(auth.revoked(aliceAccount, before)).isEmpty();
    // A login checked after the change is not taken back for it.
    long after = auth.mark();
    Account readOnly = auth.authenticate("member", pw("correct horse")).orElseThrow();
    assertThat(auth.revoked(readOnly, after)).isEmpty();

    // A user added while the gateway runs logs in and stays.
    UserEntry carol = UserEntry.of("carol", hash);
    file.write(new UsersFile.Contents(List.of(alice, member, carol), List.of(staff)));
    long carolMark = auth.mark();
    Account carolAccount = auth.authenticate("carol", pw("correct horse")).orElseThrow();
    assertThat(auth.revoked(carolAccount, carolMark)).isEmpty();

    // A new password ends alice's session.
    file.write(
        new UsersFile.Contents(
            List.of(UserEntry.of("alice", PasswordHashes.hash(pw("new horse"))), member, carol),
            List.of(staff)));
    assertThat(auth.revoked(aliceAccount, before)).contains(changed);

    // Removed, then added back as before: a session from before the removal still ends.
    file.write(new UsersFile.Contents(List.of(member, carol), List.of(staff)));
    assertThat(auth.revoked(carolAccount, carolMark)).isEmpty();
    assertThat(auth.revoked(aliceAccount, before)).contains("removed from the users file");
    file.write(new UsersFile.Contents(List.of(alice, member, carol), List.of(staff)));
    assertThat(auth.revoked(aliceAccount, before)).contains(changed);

    // An unreadable file ends no session (logins report it).
    Files.writeString(file.path(), "users: [ {");
    assertThat(auth.revoked(aliceAccount, before)).isEmpty();
  }
}
