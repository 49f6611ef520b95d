package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --check} as a preflight against the in-process S3 server and the local key service:
 * every problem in one run, each with its exit code class; and {@code keys init} as the only way to
 * make a master key.
 */
class PreflightCommandTest {

  private static S3ProxyFixture s3;

  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3.bucket("preflight", "dz");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @BeforeEach
  void config() throws Exception {
    Files.writeString(
        dir.resolve("dropzone.yaml"),
        "s3:\n  endpoint: "
            + s3.endpoint()
            + "\n  bucket: preflight\n  prefix: dz\n  accessKeyId: "
            + S3ProxyFixture.ACCESS_KEY
            + "\nkeys:\n  keysetFile: keys/master.json\nusers:\n  file: users.yaml\n");
    new UsersFile(dir.resolve("users.yaml"))
        .write(List.of(UserEntry.of("alice", PasswordHashes.hash("alice-password".toCharArray()))));
  }

  private UsersCommandTest.Run dropzone(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", dir.resolve("dropzone.yaml").toString()));
    return UsersCommandTest.run(env, "", all.toArray(String[]::new));
  }

  private static Map<String, String> secret(String value) {
    return Map.of("DROPZONE_S3_SECRET_ACCESS_KEY", value);
  }

  private UsersCommandTest.Run init() {
    return dropzone(secret(S3ProxyFixture.SECRET_KEY), "keys", "init");
  }

  @Test
  void aWorkingSetupPassesEveryCheckAndLeavesNoProbeBehind() throws Exception {
    assertThat(init().exitCode()).isZero();

    UsersCommandTest.Run run = dropzone(secret(S3ProxyFixture.SECRET_KEY), "serve", "--check");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("ok      configuration: valid")
        .contains("ok      users file: " + dir.resolve("users.yaml") + ": 1 user(s)")
        .containsPattern("ok      key service: provider local, key local:\\d+, wrap \\d+ ms")
        .contains("ok      S3: bucket 'preflight': a probe object under 'dz/' was written")
        .contains("All checks passed");
    assertThat(s3.blobStore().list("preflight", recursive())).isEmpty();
  }

  @Test
  void everyProblemIsReportedInOneRun() throws Exception {
    assertThat(init().exitCode()).isZero();
    Path keyset = dir.resolve("keys/master.json");
    Files.setPosixFilePermissions(keyset, PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> env =
        Map.of("DROPZONE_S3_SECRET_ACCESS_KEY", "not-the-secret", "DROPZONE_FTP_PORTT", "2121");

    UsersCommandTest.Run run = dropzone(env, "serve", "--check", "--set", "ftp.maxThreads=0");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Main.USAGE);
    assertThat(run.out())
        .contains(
            "PROBLEM configuration: environment variable DROPZONE_FTP_PORTT is not a Dropzone"
                + " setting; did you mean DROPZONE_FTP_PORT?")
        .contains("PROBLEM configuration: ftp.maxThreads: '0' must be ≥ 1 (from --set)")
        .contains("ok      users file")
        .contains("PROBLEM key service: provider local (REJECTED)")
        .contains("has permissions rw-r--r--")
        .contains("PROBLEM S3: cannot write a probe object")
        .contains("SignatureDoesNotMatch, the secret key does not match the access key");
    assertThat(run.err()).contains("the preflight found 4 problem(s)");
  }

  @Test
  void aUsersFileOthersMayChangeIsAProblemAndOneTheyMayReadAWarning() throws Exception {
    assertThat(init().exitCode()).isZero();
    Path users = dir.resolve("users.yaml");
    Map<String, String> env = secret(S3ProxyFixture.SECRET_KEY);

    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-rw-r--"));
    UsersCommandTest.Run writable = dropzone(env, "serve", "--check");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
    UsersCommandTest.Run readable = dropzone(env, "serve", "--check");

    assertThat(writable.exitCode()).isEqualTo(Main.USAGE);
    assertThat(writable.out())
        .contains(
            "PROBLEM users file: "
                + users
                + " has permissions rw-rw-r--: others than its owner may add users to it");
    assertThat(readable.exitCode()).as(readable.out()).isZero();
    assertThat(readable.out())
        .contains(
            "WARNING users file: "
                + users
                + " has permissions rw-r--r--: every local account can read the password hashes");
  }

  @Test
  void aMissingBucketFailsTheS3Check() throws Exception {
    assertThat(init().exitCode()).isZero();

    UsersCommandTest.Run run =
        dropzone(
            secret(S3ProxyFixture.SECRET_KEY), "serve", "--check", "--set", "s3.bucket=absent");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Main.FAILED);
    assertThat(run.out())
        .contains("PROBLEM S3: cannot find the bucket (bucket 'absent' at " + s3.endpoint())
        .contains("the bucket does not exist: create it, or correct s3.bucket")
        .contains("ok      key service");
  }

  @Test
  void aMistypedKeysetPathIsNeverCreatedAndNamesKeysInit() throws Exception {
    Path keyset = dir.resolve("keys/master.json");
    Map<String, String> env = secret(S3ProxyFixture.SECRET_KEY);

    UsersCommandTest.Run check = dropzone(env, "keys", "check");
    UsersCommandTest.Run serve = dropzone(env, "serve");
    UsersCommandTest.Run preflight = dropzone(env, "serve", "--check");

    for (UsersCommandTest.Run run : List.of(check, serve)) {
      assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Main.USAGE);
      assertThat(run.err())
          .contains("keys.keysetFile: " + keyset + " does not exist")
          .contains("'dropzone keys init'");
    }
    assertThat(preflight.exitCode()).isEqualTo(Main.USAGE);
    assertThat(preflight.out())
        .contains("PROBLEM keyset: keys.keysetFile: " + keyset + " does not exist")
        .contains("skipped key service");
    assertThat(keyset).doesNotExist();
    assertThat(keyset.getParent()).doesNotExist();
  }

  @Test
  void keysInitCreatesAnOwnerOnlyKeysetOnceAndNeverReplacesIt() throws Exception {
    Path keyset = dir.resolve("keys/master.json");

    UsersCommandTest.Run first = init();
    String created = Files.readString(keyset);
    UsersCommandTest.Run again = init();
    UsersCommandTest.Run check = dropzone(secret(S3ProxyFixture.SECRET_KEY), "keys", "check");

    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).containsPattern("Created the master key local:\\d+ in " + keyset);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset)))
        .isEqualTo("rw-------");
    assertThat(again.exitCode()).isEqualTo(Main.USAGE);
    assertThat(again.err()).contains("already exists; a master key is never replaced");
    assertThat(Files.readString(keyset)).isEqualTo(created);
    assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
  }

  @Test
  void keysInitRefusesProvidersWhoseKeyLivesInTheService() {
    UsersCommandTest.Run run =
        dropzone(
            secret(S3ProxyFixture.SECRET_KEY),
            "keys",
            "init",
            "--set",
            "keys.provider=kms",
            "--set",
            "keys.kms.keyId=k");

    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("keys.provider is 'kms': its master key lives in that service");
  }

  private static org.jclouds.blobstore.options.ListContainerOptions recursive() {
    return org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive();
  }
}
