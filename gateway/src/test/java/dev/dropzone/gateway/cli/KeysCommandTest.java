package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.kek.vault.VaultTransitSettings;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/** {@code dropzone keys} against the Vault Transit protocol test server and in-process S3. */
class KeysCommandTest {

  private static S3ProxyFixture s3;
  private static S3Settings settings;
  private static VaultTransitProtocolServer vault;
  private static VaultTransitKeyService keyService;
  private static ExecutorService blocking;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    settings = s3.bucket("keys", "dz");
    vault = VaultTransitProtocolServer.start("transit", "s.token");
    vault.createKey("dropzone", false);
    keyService =
        VaultTransitKeyService.open(VaultTransitSettings.of(vault.uri(), "dropzone", "s.token"));
    blocking = Executors.newFixedThreadPool(2);
    Files.writeString(
        dir.resolve("dropzone.yaml"),
        "s3:\n  endpoint: "
            + s3.endpoint()
            + "\n  bucket: keys\n  prefix: dz\n  accessKeyId: "
            + S3ProxyFixture.ACCESS_KEY
            + "\n  secretAccessKey: "
            + S3ProxyFixture.SECRET_KEY
            + "\nkeys:\n  provider: vault\n  vault:\n    address: "
            + vault.uri()
            + "\n    key: dropzone\n  http:\n    maxAttempts: 1\n");
  }

  @AfterAll
  static void stop() throws Exception {
    blocking.shutdownNow();
    keyService.close();
    vault.close();
    s3.close();
  }

  private static KeysCli.Run keys(String... args) {
    List<String> all = new ArrayList<>(List.of("keys"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--config",
            dir.resolve("dropzone.yaml").toString(),
            "--set",
            "keys.vault.token=s.token"));
    return KeysCli.execute(all);
  }

  @Test
  void checkPrintsProviderKeyAndLatency() {
    KeysCli.Run run = keys("check");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .containsPattern(
            "Key service OK: provider vault, key vault:\\S+:v\\d+, wrap \\d+ ms, unwrap \\d+ ms");
    assertThat(vault.server().count("encrypt")).isPositive();
  }

  @Test
  void checkFailsWithTheProvidersMessageWhenTheKeyIsRefused() {
    vault.failNext(1, 403, "permission denied");

    KeysCli.Run run = keys("check");

    assertThat(run.code()).isEqualTo(Main.FAILED);
    assertThat(run.err())
        .contains("check (REJECTED) failed with the 'vault' key service")
        .contains("permission denied");
  }

  @Test
  void rotateGivesNewKeysWhileOldFilesStayReadable() throws Exception {
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      write(store, "rotor", "old.txt", "before rotation");
      write(store, "spinner", "old.txt", "spinner's file");
      KeyRecord before = store.keyRecords().read("rotor").orElseThrow();

      KeysCli.Run one = keys("rotate", "--user", "rotor");

      assertThat(one.code()).as(one.err()).isZero();
      assertThat(one.out()).contains("Rotated the key of rotor");
      KeyRecord after = store.keyRecords().read("rotor").orElseThrow();
      assertThat(after.key().text()).isNotEqualTo(before.key().text());
      assertThat(after.created()).isAfterOrEqualTo(before.created());
      assertThat(read(store, "rotor", "old.txt")).isEqualTo("before rotation");
      write(store, "rotor", "new.txt", "after rotation");
      assertThat(read(store, "rotor", "new.txt")).isEqualTo("after rotation");

      KeysCli.Run all = keys("rotate", "--all");

      assertThat(all.code()).as(all.err()).isZero();
      assertThat(all.out())
          .contains("Rotated the key of rotor")
          .contains("Rotated the key of spinner");
      assertThat(read(store, "spinner", "old.txt")).isEqualTo("spinner's file");
    }
  }

  @Test
  void rotateRefusesANameNoUserSourceKnowsUnlessForced() throws Exception {
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      KeysCli.Run typo = keys("rotate", "--user", "nobody-typo");

      assertThat(typo.code()).isEqualTo(Main.USAGE);
      assertThat(typo.err())
          .contains("no user 'nobody-typo': not in the users file")
          .contains("no key record");
      assertThat(store.keyRecords().read("nobody-typo")).isEmpty();

      KeysCli.Run pamOnly = keys("rotate", "--user", "nobody-typo", "--set", "auth.backends=pam");

      assertThat(pamOnly.code()).isEqualTo(Main.USAGE);
      assertThat(pamOnly.err())
          .contains("pam users cannot be listed")
          .contains("re-run with --force");

      KeysCli.Run forced = keys("rotate", "--user", "never-logged-in", "--force");

      assertThat(forced.code()).as(forced.err()).isZero();
      assertThat(store.keyRecords().read("never-logged-in")).isPresent();
    }
  }

  @Test
  void rewrapRefusesPrefixesThatLeaveOrAliasTheConfiguredOne() {
    for (String prefix : List.of("../", "users/../other/", "./users/", ".dropzone/keys/")) {
      KeysCli.Run run = keys("rewrap", "--prefix", prefix);

      assertThat(run.code()).as(prefix).isEqualTo(Main.USAGE);
      assertThat(run.err()).as(prefix).contains("--prefix '" + prefix + "'");
      assertThat(run.err()).as(prefix).doesNotContain("try again later");
    }
  }

  @Test
  void rotateNeedsUserOrAll() {
    KeysCli.Run run = keys("rotate");

    assertThat(run.code()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("--user").contains("--all");
  }

  @Test
  void rewrapReportsProgressAndASummaryAndIsSafeToRepeat() throws Exception {
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      write(store, "rewrapper", "a.txt", "alpha");
      write(store, "rewrapper", "b.txt", "beta");
    }
    vault.rotate("dropzone");

    KeysCli.Run first = keys("rewrap", "--prefix", "users/rewrapper/");
    KeysCli.Run again = keys("rewrap", "--prefix", "users/rewrapper/");

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .containsPattern("Rewrapping \\d+ key record\\(s\\) and 2 object\\(s\\) to vault:")
        .containsPattern("Key records: rewrapped \\d+, already current \\d+, failed 0")
        .contains("Rewrapped 2, already current 0, not encrypted 0, failed 0")
        .contains("Run keys rewrap again in a few minutes, and keep the old master key version");
    assertThat(again.out())
        .contains("Rewrapped 0, already current 2, not encrypted 0, failed 0")
        .containsPattern("Every key record and object is on vault:\\S+\\.")
        .doesNotContain("Run keys rewrap again");
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      assertThat(read(store, "rewrapper", "a.txt")).isEqualTo("alpha");
    }
  }

  @Test
  void aMetadataCopyRacingRewrapCanPutTheOldKeyBackAndTheNextRunSaysSo() throws Exception {
    String key = "dz/users/racer/r.txt";
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      write(store, "racer", "r.txt", "raced");
    }
    vault.rotate("dropzone");
    try (S3Client plain = S3Clients.create(settings)) {
      // What a gateway's time change read just before the run rewrapped the object.
      HeadObjectResponse before = plain.headObject(b -> b.bucket("keys").key(key));

      KeysCli.Run first = keys("rewrap", "--prefix", "users/racer/");
      assertThat(first.out())
          .contains("Rewrapped 1")
          .contains("Run keys rewrap again in a few minutes");

      // ...and wrote after it: the copy is conditional on the ETag, which the rewrap kept.
      plain.copyObject(
          b ->
              b.sourceBucket("keys")
                  .sourceKey(key)
                  .destinationBucket("keys")
                  .destinationKey(key)
                  .copySourceIfMatch(before.eTag())
                  .metadataDirective(MetadataDirective.REPLACE)
                  .metadata(before.metadata()));
    }

    KeysCli.Run second = keys("rewrap", "--prefix", "users/racer/");
    assertThat(second.out()).contains("Rewrapped 1").contains("Run keys rewrap again");
    KeysCli.Run third = keys("rewrap", "--prefix", "users/racer/");
    assertThat(third.out()).contains("Rewrapped 0").contains("Every key record and object is on");
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      assertThat(read(store, "racer", "r.txt")).isEqualTo("raced");
    }
  }

  @Test
  void rewrapListsFailuresAndExitsOneButHandlesEveryOtherObject() throws Exception {
    try (EncryptedStore store = EncryptedStore.open(settings);
        S3Client plain = S3Clients.create(settings)) {
      write(store, "mixed", "good.txt", "fine");
      plain.putObject(
          b -> b.bucket("keys").key("dz/users/mixed/foreign.csv"), RequestBody.fromString("a,b"));
      plain.putObject(
          b ->
              b.bucket("keys")
                  .key("dz/users/mixed/damaged.bin")
                  .metadata(Map.of(ObjectFormat.META_FORMAT, ObjectFormat.VERSION_1)),
          RequestBody.fromString("not really encrypted"));
    }
    vault.rotate("dropzone");

    KeysCli.Run run = keys("rewrap", "--prefix", "users/mixed");

    assertThat(run.code()).isEqualTo(Main.FAILED);
    assertThat(run.out()).contains("Rewrapped 1, already current 0, not encrypted 1, failed 1");
    assertThat(run.err())
        .contains("Failures (run rewrap again once the cause is fixed):")
        .contains("dz/users/mixed/damaged.bin lacks dz-key, dz-key-ref or dz-user");
  }

  private static UserKeys userKeys(EncryptedStore store) {
    return UserKeys.builder(
            keyService, DataKeyCache.builder(keyService).build(), store.keyRecords(), blocking)
        .build();
  }

  private static FileTree tree(EncryptedStore store, String user) throws Exception {
    return store.tree(user, "users/" + user, userKeys(store));
  }

  @Test
  void keyRunsLeaveAStartAndAnEndLineInTheAuditLogWithoutKeyMaterial() throws Exception {
    Path audit = dir.resolve("keys-audit.jsonl");
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      write(store, "auditee", "f.txt", "audited");

      KeysCli.Run rotate = keys("rotate", "--user", "auditee", "--set", "audit.target=" + audit);
      KeysCli.Run rewrap =
          keys("rewrap", "--prefix", "users/auditee/", "--set", "audit.target=" + audit);

      assertThat(rotate.code()).as(rotate.err()).isZero();
      assertThat(rewrap.code()).as(rewrap.err()).isZero();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(audit)) {
        lines.add(new ObjectMapper().readTree(line));
      }
      assertThat(lines)
          .extracting(l -> l.get("event").asText() + " " + l.get("run").asText())
          .containsExactly(
              "keys_run_start rotate",
              "keys_run_end rotate",
              "keys_run_start rewrap",
              "keys_run_end rewrap");
      assertThat(lines.get(0).get("user").asText()).isEqualTo("auditee");
      assertThat(lines.get(1).get("run_id")).isEqualTo(lines.get(0).get("run_id"));
      assertThat(lines.get(1).get("result").asText()).isEqualTo("ok");
      assertThat(lines.get(1).get("rotated").asInt()).isEqualTo(1);
      assertThat(lines.get(2).get("prefix").asText()).isEqualTo("users/auditee/");
      assertThat(lines.get(2).get("run_id")).isNotEqualTo(lines.get(0).get("run_id"));
      JsonNode end = lines.get(3);
      assertThat(end.get("result").asText()).isEqualTo("ok");
      assertThat(end.get("rewrapped").asInt() + end.get("current").asInt()).isEqualTo(1);
      assertThat(end.get("failed").asInt()).isZero();
      assertThat(end.get("duration_ms").asLong()).isNotNegative();
      String raw = Files.readString(audit);
      assertThat(raw)
          .doesNotContain("s.token")
          .doesNotContain(S3ProxyFixture.SECRET_KEY)
          .doesNotContain(store.keyRecords().read("auditee").orElseThrow().key().text());
    }
  }

  private static void write(EncryptedStore store, String user, String name, String text)
      throws Exception {
    try (Upload upload = tree(store, user).openWrite(VirtualPath.of(name), 0)) {
      upload.stream().write(text.getBytes(StandardCharsets.UTF_8));
      upload.commit();
    }
  }

  private static String read(EncryptedStore store, String user, String name) throws Exception {
    try (InputStream in = tree(store, user).openRead(VirtualPath.of(name), 0)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
