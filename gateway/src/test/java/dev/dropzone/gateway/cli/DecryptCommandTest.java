package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.IndependentReader;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.V1Objects;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * {@code dropzone decrypt} and {@code cat}: files uploaded through the real FTP server (in-process
 * S3, local key service), read back with the gateway stopped, byte for byte; objects attacked with
 * a raw S3 client are refused with the reason, and leave no output behind.
 */
class DecryptCommandTest {

  private static final String BUCKET = "vault";
  private static final String PASSWORD = "alice-password";
  private static final Random RANDOM = new Random(15);

  private static final byte[] REPORT = random(40_000);
  private static final byte[] BIG = random(11 * 1024 * 1024 + 321);
  private static final byte[] TOP = "top of the tree\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] DEEP = random(100_000);
  private static final byte[] V1 = "written before format v2".getBytes(StandardCharsets.UTF_8);
  private static final byte[] THREE_SEGMENTS = random(3 * 1024 * 1024);

  @TempDir static Path dir;

  private static S3ProxyFixture s3;
  private static Map<String, String> config;
  private static S3Client raw;
  private static LocalKeyService keys;

  @BeforeAll
  static void uploadThroughTheGatewayThenStopIt() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3.bucket(BUCKET, "dz");
    config =
        Map.ofEntries(
            Map.entry("s3.endpoint", s3.endpoint().toString()),
            Map.entry("s3.bucket", BUCKET),
            Map.entry("s3.prefix", "dz"),
            Map.entry("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY),
            Map.entry("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY),
            Map.entry("s3.partSize", "5MiB"),
            Map.entry("keys.keysetFile", "keyset.json"),
            Map.entry("users.file", "users.yaml"),
            Map.entry("ftp.port", "0"),
            Map.entry("ftp.passivePorts", "0"));
    GatewaySettings settings = new ConfigLoader().overrides(config, "test").settings(dir);
    keys = LocalKeyService.create(dir.resolve("keyset.json"));
    String hash = PasswordHashes.hash(PASSWORD.toCharArray());
    UsersFile users = new UsersFile(settings.usersFile());
    users.write(List.of(UserEntry.of("alice", hash), UserEntry.of("bob", hash)));
    try (GatewayRuntime gateway = GatewayRuntime.start(settings, new FileAuthenticator(users))) {
      FTPClient ftp = login(gateway);
      store(ftp, "docs/report.csv", REPORT);
      store(ftp, "big.bin", BIG);
      store(ftp, "tree/top.txt", TOP);
      store(ftp, "tree/sub/deep/data.bin", DEEP);
      store(ftp, "tree/sub/empty.txt", new byte[0]);
      assertThat(ftp.makeDirectory("tree/nothing-here")).as(ftp.getReplyString()).isTrue();
      for (String name : List.of("flip", "cut")) {
        store(ftp, "attack/" + name + ".bin", THREE_SEGMENTS);
      }
      for (String name : List.of("copied", "edited", "one", "two")) {
        store(ftp, "attack/" + name + ".bin", REPORT);
      }
      ftp.logout();
      ftp.disconnect();
    }
    raw = S3Clients.create(settings.s3());
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped =
        keys.wrap(dataKey.clone(), KeyBinding.user("alice")).get(30, TimeUnit.SECONDS);
    V1Objects.put(
        raw, BUCKET, "dz/users/alice/old/v1.txt", "alice", wrapped, DataKey.fromRaw(dataKey), V1);
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    s3.close();
  }

  @Test
  void decryptsOneFileByUserPath() throws Exception {
    Path out = dir.resolve("report.csv");

    Run run = run("decrypt", "--user", "alice", "/docs/report.csv", "-o", out.toString());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(out).hasBinaryContent(REPORT);
    assertThat(run.out()).contains("/docs/report.csv -> ").contains("SHA-256 matches");
  }

  @Test
  void decryptsAMultipartFileByRawKeyWithoutNamingTheUser() throws Exception {
    Path out = Files.createDirectories(dir.resolve("by-key"));

    Run run = run("decrypt", "--key", "dz/users/alice/big.bin", "-o", out.toString());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(out.resolve("big.bin")).hasBinaryContent(BIG);
  }

  @Test
  void decryptsADirectoryRecursivelyRecreatingItsTree() throws Exception {
    Path out = dir.resolve("tree-copy");

    Run run = run("decrypt", "--user", "alice", "/tree", "-o", out.toString());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(out.resolve("top.txt")).hasBinaryContent(TOP);
    assertThat(out.resolve("sub/deep/data.bin")).hasBinaryContent(DEEP);
    assertThat(out.resolve("sub/empty.txt")).exists().isEmptyFile();
    assertThat(out.resolve("nothing-here")).isDirectory().isEmptyDirectory();
    assertThat(run.out()).contains("Decrypted 3 file(s)").contains("0 refused or failed");

    Run again = run("decrypt", "--user", "alice", "/tree", "-o", out.toString());
    assertThat(again.code()).isEqualTo(Main.USAGE);
    assertThat(again.err()).contains("nothing decrypted").contains("--force");

    Path byKey = dir.resolve("tree-by-key");
    Run prefix =
        run("decrypt", "--user", "alice", "--key", "dz/users/alice/tree/", "-o", byKey.toString());
    assertThat(prefix.code()).as(prefix.err()).isZero();
    assertThat(byKey.resolve("sub/deep/data.bin")).hasBinaryContent(DEEP);

    Files.writeString(out.resolve("top.txt"), "local edit");
    Run forced = run("decrypt", "--user", "alice", "/tree", "-o", out.toString(), "--force");
    assertThat(forced.code()).as(forced.err()).isZero();
    assertThat(out.resolve("top.txt")).hasBinaryContent(TOP);
  }

  @Test
  void catWritesThePlaintextToStandardOutput() throws Exception {
    Run run = run("cat", "--user", "alice", "/big.bin");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.stdout()).isEqualTo(BIG);
  }

  @Test
  void readsFormatV1Files() throws Exception {
    Path out = dir.resolve("v1.txt");

    Run decrypt = run("decrypt", "--user", "alice", "/old/v1.txt", "-o", out.toString());
    Run cat = run("cat", "--key", "dz/users/alice/old/v1.txt");

    assertThat(decrypt.code()).as(decrypt.err()).isZero();
    assertThat(out).hasBinaryContent(V1);
    assertThat(cat.code()).as(cat.err()).isZero();
    assertThat(cat.stdout()).isEqualTo(V1);
  }

  @Test
  void refusesAFlippedByteAndLeavesNoOutput() throws Exception {
    String key = "dz/users/alice/attack/flip.bin";
    byte[] body = body(key);
    // In the second segment: the object's identity and its last segment still verify.
    body[1_500_000] ^= 1;
    replaceBody(key, body);
    Path outDir = Files.createDirectories(dir.resolve("flip"));

    Run decrypt = run("decrypt", "--user", "alice", "/attack/flip.bin", "-o", outDir.toString());
    Run cat = run("cat", "--user", "alice", "/attack/flip.bin");

    assertThat(decrypt.code()).isEqualTo(DecryptExit.REFUSED);
    assertThat(decrypt.err()).contains("/attack/flip.bin: integrity check failed");
    assertThat(outDir).isEmptyDirectory();
    assertThat(cat.code()).isEqualTo(DecryptExit.REFUSED);
    assertThat(cat.stdout())
        .as("plaintext of the first segment at most: no byte of the damaged one")
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo(1_048_520);
    assertThat(cat.err()).contains("cannot be recalled").contains("integrity check failed");
  }

  @Test
  void refusesATruncatedObject() throws Exception {
    String key = "dz/users/alice/attack/cut.bin";
    byte[] body = body(key);
    // Cut at a segment boundary: what is left is well formed, but its last segment was not
    // sealed as the last one.
    replaceBody(key, Arrays.copyOf(body, 2 * 1024 * 1024));
    Path out = dir.resolve("cut.bin");

    Run run = run("decrypt", "--user", "alice", "/attack/cut.bin", "-o", out.toString());

    assertThat(run.code()).isEqualTo(DecryptExit.REFUSED);
    assertThat(run.err()).contains("integrity check failed");
    assertThat(out).doesNotExist();
    assertNoPartialFiles();
  }

  @Test
  void refusesAnObjectCopiedIntoAnotherUsersHome() throws Exception {
    raw.copyObject(
        b ->
            b.sourceBucket(BUCKET)
                .sourceKey("dz/users/alice/attack/copied.bin")
                .destinationBucket(BUCKET)
                .destinationKey("dz/users/bob/copied.bin"));
    Path out = dir.resolve("copied.bin");

    Run asBob = run("decrypt", "--user", "bob", "/copied.bin", "-o", out.toString());
    Run byKey = run("decrypt", "--key", "dz/users/bob/copied.bin", "-o", out.toString());

    assertThat(asBob.code()).isEqualTo(DecryptExit.REFUSED);
    assertThat(asBob.err()).contains("belongs to another home");
    assertThat(byKey.code()).isEqualTo(Main.USAGE);
    assertThat(byKey.err()).contains("wrong user").contains("not in the home of user alice");
    assertThat(out).doesNotExist();
  }

  @Test
  void refusesEditedMetadataAndSwappedFiles() throws Exception {
    String edited = "dz/users/alice/attack/edited.bin";
    Map<String, String> metadata =
        new HashMap<>(raw.headObject(b -> b.bucket(BUCKET).key(edited)).metadata());
    metadata.put(ObjectFormat.META_MTIME, "1000");
    raw.copyObject(
        b ->
            b.sourceBucket(BUCKET)
                .sourceKey(edited)
                .destinationBucket(BUCKET)
                .destinationKey(edited)
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(metadata));
    raw.copyObject(
        b ->
            b.sourceBucket(BUCKET)
                .sourceKey("dz/users/alice/attack/one.bin")
                .destinationBucket(BUCKET)
                .destinationKey("dz/users/alice/attack/two.bin"));

    Run editedRun = run("cat", "--user", "alice", "/attack/edited.bin");
    Run swapped = run("cat", "--user", "alice", "/attack/two.bin");

    for (Run run : List.of(editedRun, swapped)) {
      assertThat(run.code()).isEqualTo(DecryptExit.REFUSED);
      assertThat(run.err()).contains("identity does not match its name");
      assertThat(run.stdout()).as("refused before the first byte").isEmpty();
    }
  }

  @Test
  void explainsMissingFilesAndBadAddresses() throws Exception {
    Run missing = run("cat", "--user", "alice", "/no/such.txt");
    Run missingKey = run("cat", "--key", "dz/users/alice/no-such.txt");
    Run noUser = run("cat", "/docs/report.csv");
    Run outside = run("cat", "--key", "elsewhere/file");
    Run directory = run("cat", "--user", "alice", "/tree");

    assertThat(missing.code()).isEqualTo(DecryptExit.NOT_FOUND);
    assertThat(missing.err()).contains("/no/such.txt of user alice");
    assertThat(missingKey.code()).isEqualTo(DecryptExit.NOT_FOUND);
    assertThat(missingKey.err()).contains("No object dz/users/alice/no-such.txt");
    assertThat(noUser.code()).isEqualTo(Main.USAGE);
    assertThat(noUser.err()).contains("--user");
    assertThat(outside.code()).isEqualTo(Main.USAGE);
    assertThat(outside.err()).contains("not below s3.prefix");
    assertThat(directory.code()).isEqualTo(Main.USAGE);
    assertThat(directory.err()).contains("is a directory");
  }

  @Test
  void explainsDeniedStorageAndAMissingKeyService() throws Exception {
    Run denied =
        runWith(
            Map.of("s3.secretAccessKey", "not-the-secret"),
            "cat",
            "--user",
            "alice",
            "/docs/report.csv");
    Run noKeyset =
        runWith(
            Map.of("keys.keysetFile", "missing.json"),
            "cat",
            "--user",
            "alice",
            "/docs/report.csv");

    assertThat(denied.code()).as(denied.err()).isEqualTo(Main.FAILED);
    assertThat(denied.err()).contains("access denied");
    assertThat(denied.stdout()).isEmpty();
    assertThat(noKeyset.code()).isNotZero();
    assertThat(noKeyset.err()).contains("keys.keysetFile");
  }

  @Test
  void agreesWithTheIndependentReaderOfTheFormat() throws Exception {
    IndependentReader.assumeAvailable();
    Path out = Files.createDirectories(dir.resolve("agree"));
    Path vectors = Files.createDirectories(dir.resolve("agree-vectors"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode objects = root.putArray("objects");
    root.putArray("records");
    for (String path : List.of("docs/report.csv", "big.bin")) {
      Run run = run("decrypt", "--user", "alice", "/" + path, "-o", out.toString());
      assertThat(run.code()).as(run.err()).isZero();
      byte[] plaintext = Files.readAllBytes(out.resolve(Path.of(path).getFileName()));
      String key = "dz/users/alice/" + path;
      Map<String, String> metadata = raw.headObject(b -> b.bucket(BUCKET).key(key)).metadata();
      byte[] dataKey =
          keys.unwrap(ObjectMetadata.parse(metadata).wrappedKey(), KeyBinding.domain("users/alice"))
              .get(30, TimeUnit.SECONDS);
      root.put("dataKey", HexFormat.of().formatHex(dataKey));
      String name = Path.of(path).getFileName().toString();
      Files.write(vectors.resolve(name + ".body"), body(key));
      ObjectNode vector = objects.addObject();
      vector.put("name", name);
      vector.put("format", "2");
      vector.put("domain", "users/alice");
      vector.put("path", path);
      vector.set("metadata", json.valueToTree(metadata));
      vector.put("body", name + ".body");
      vector.put("plaintextSize", plaintext.length);
      vector.put(
          "plaintextSha256",
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plaintext)));
      if (!metadata.containsKey(ObjectFormat.META_DIGEST)) {
        // Uploaded in parts: its sealed digest is in the digest record named after its salt.
        byte[] header = Base64.getDecoder().decode(metadata.get(ObjectFormat.META_HEADER));
        String record =
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Arrays.copyOfRange(header, 1, 33));
        Files.write(vectors.resolve(record), body("dz/.dropzone/digests/" + record));
        vector.put("digestRecord", record);
      }
    }
    json.writeValue(vectors.resolve("vectors.json").toFile(), root);

    IndependentReader.Run reader = IndependentReader.run(vectors);

    assertThat(reader.exit()).as(reader.output()).isZero();
    assertThat(reader.output())
        .contains("report.csv: tag, header, 1 segment(s), 40000 plaintext bytes, digest OK")
        .contains(
            "big.bin: tag, header, 12 segment(s), " + BIG.length + " plaintext bytes, digest OK");
  }

  private static void assertNoPartialFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList())
          .isEmpty();
    }
  }

  private static byte[] body(String key) {
    ResponseBytes<GetObjectResponse> bytes = raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
    return bytes.asByteArray();
  }

  /** Puts {@code body} under {@code key} with the object's own metadata, as a bucket writer can. */
  private static void replaceBody(String key, byte[] body) {
    Map<String, String> metadata = raw.headObject(b -> b.bucket(BUCKET).key(key)).metadata();
    raw.putObject(b -> b.bucket(BUCKET).key(key).metadata(metadata), RequestBody.fromBytes(body));
  }

  record Run(int code, byte[] stdout, String out, String err) {}

  /** {@code dropzone ARGS} in-process, configured like the gateway that wrote the files. */
  private static Run run(String... args) {
    return runWith(Map.of(), args);
  }

  /** As {@link #run}, with some settings changed. */
  private static Run runWith(Map<String, String> changed, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    try {
      Path file = Files.writeString(dir.resolve("dropzone.yaml"), "# all settings from --set\n");
      all.addAll(List.of("--config", file.toString()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> settings = new HashMap<>(config);
    settings.putAll(changed);
    settings.forEach((k, v) -> all.addAll(List.of("--set", k + "=" + v)));
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]), stdout, Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, stdout.toByteArray(), out.toString(), err.toString());
  }

  private static FTPClient login(GatewayRuntime gateway) throws Exception {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", gateway.ftpPort());
    assertThat(client.login("alice", PASSWORD)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static void store(FTPClient ftp, String path, byte[] content) throws Exception {
    String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
    StringBuilder made = new StringBuilder();
    for (String segment : parent.isEmpty() ? new String[0] : parent.split("/")) {
      made.append('/').append(segment);
      ftp.makeDirectory(made.toString());
    }
    assertThat(ftp.storeFile("/" + path, new ByteArrayInputStream(content)))
        .as(ftp.getReplyString())
        .isTrue();
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
