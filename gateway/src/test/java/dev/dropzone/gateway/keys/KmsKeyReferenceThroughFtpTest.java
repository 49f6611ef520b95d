package dev.dropzone.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.kms.KmsKeyService;
import dev.dropzone.kek.kms.KmsProtocolServer;
import dev.dropzone.kek.kms.KmsSettings;
import dev.dropzone.kek.testing.RecordedRequest;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * The {@code kms} provider seen through the real FTP server, configured as an operator would, with
 * a raw S3 client playing an attacker who can write to the bucket and holds a KMS key of their own
 * that the gateway's role may also use: however an object's {@code dz-key-ref} names that key, the
 * gateway never asks KMS to decrypt with it, and the download is refused with no byte served.
 */
class KmsKeyReferenceThroughFtpTest {

  private static final String BUCKET = "kms-refs";
  private static final String ACCESS_KEY = "AKIDGATEWAY";
  private static final String SECRET_KEY = "gateway-secret";

  @TempDir Path dir;

  private S3ProxyFixture s3;
  private KmsProtocolServer kms;
  private S3Client attacker;
  private String attackerKey;
  private final Map<String, String> savedProperties = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    kms = KmsProtocolServer.start();
    kms.createKey("alias/dropzone");
    attackerKey = kms.createKey("alias/attacker");
    attacker = S3Clients.create(s3.bucket(BUCKET, ""));
    // The provider takes AWS credentials from the default chain, as on a server; here the chain
    // finds them in these system properties.
    setProperty("aws.accessKeyId", ACCESS_KEY);
    setProperty("aws.secretAccessKey", SECRET_KEY);
  }

  @AfterEach
  void stop() throws Exception {
    savedProperties.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
    attacker.close();
    kms.close();
    s3.close();
  }

  @Test
  void objectsWhoseKeyReferenceNamesAnotherKmsKeyAreRefusedWithoutAskingKms() throws Exception {
    GatewaySettings settings = settings();
    UsersFile users = new UsersFile(settings.usersFile());
    users.write(List.of(UserEntry.of("alice", PasswordHashes.hash("alice-pw".toCharArray()))));
    Logger transferKeys =
        (Logger) LoggerFactory.getLogger("dev.dropzone.store.transfer.SessionKeys");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    transferKeys.addAppender(log);
    try (GatewayRuntime gateway = GatewayRuntime.start(settings, new FileAuthenticator(users))) {
      FTPClient alice = login(gateway);
      assertThat(store(alice, "report.txt", "quarterly numbers")).isTrue();
      assertThat(store(alice, "notes.txt", "meeting notes")).isTrue();

      // 1. A whole object made with the attacker's own key, planted in alice's home. Making it
      // asks KMS to decrypt with that key once (a new key is checked): the attacker's request.
      int beforeForging = kms.server().count("Decrypt");
      plant("users/alice/forged.txt", writtenWithTheAttackersKey("the attacker's text"));
      int afterForging = kms.server().count("Decrypt");
      // 2. Alice's own object, its reference edited to name the attacker's key.
      editMetadata("users/alice/notes.txt", "dz-key-ref", "kms:" + attackerKey);
      int decrypts = kms.server().count("Decrypt");

      for (String name : List.of("forged.txt", "notes.txt")) {
        ByteArrayOutputStream served = new ByteArrayOutputStream();
        assertThat(alice.retrieveFile(name, served)).as(name).isFalse();
        assertThat(alice.getReplyString()).startsWith("550 Key service refused this file's key");
        assertThat(served.size()).as("bytes served for %s", name).isZero();
      }

      assertThat(kms.server().count("Decrypt"))
          .as("KMS was never asked to decrypt with the attacker's key")
          .isEqualTo(decrypts);
      List<RecordedRequest> gateways = new ArrayList<>(kms.server().requests("Decrypt"));
      gateways.subList(beforeForging, afterForging).clear();
      assertThat(gateways)
          .as("every Decrypt the gateway sent")
          .allSatisfy(r -> assertThat(r.body().getString("KeyId")).isEqualTo("alias/dropzone"));
      assertThat(log.list)
          .as("the operator learns which key the altered reference named")
          .filteredOn(e -> e.getFormattedMessage().contains("refused without asking KMS"))
          .hasSize(2)
          .allSatisfy(
              e ->
                  assertThat(e.getFormattedMessage())
                      .contains(attackerKey, "keys.kms.retiredKeyIds"));
      assertThat(retrieve(alice, "report.txt")).isEqualTo("quarterly numbers");
      alice.disconnect();
    } finally {
      transferKeys.detachAppender(log);
    }
  }

  private GatewaySettings settings() throws Exception {
    return new ConfigLoader()
        .overrides(
            Map.ofEntries(
                Map.entry("s3.endpoint", s3.endpoint().toString()),
                Map.entry("s3.bucket", BUCKET),
                Map.entry("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY),
                Map.entry("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY),
                Map.entry("keys.provider", "kms"),
                Map.entry("keys.kms.keyId", "alias/dropzone"),
                Map.entry("keys.kms.region", KmsProtocolServer.REGION),
                Map.entry("keys.kms.endpoint", kms.uri().toString()),
                Map.entry("ftp.port", "0"),
                Map.entry("ftp.passivePorts", "0")),
            "test")
        .settings(dir);
  }

  /**
   * What the attacker can make without any of the gateway's keys: an object in Dropzone's format
   * whose data key is the attacker's, wrapped by the attacker's KMS key for user alice. It is
   * written to a bucket of the attacker's, then copied byte for byte, metadata included.
   */
  private Stored writtenWithTheAttackersKey(String text) throws Exception {
    S3Settings own = s3.bucket("attackers-own", "");
    ExecutorService io = Executors.newSingleThreadExecutor();
    try (KmsKeyService key =
            KmsKeyService.open(
                KmsSettings.of("alias/attacker", KmsProtocolServer.REGION)
                    .withEndpoint(kms.uri())
                    .withCredentials(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))));
        EncryptedStore store = EncryptedStore.open(own)) {
      UserKeys keys =
          UserKeys.builder(key, DataKeyCache.builder(key).build(), store.keyRecords(), io).build();
      try (Upload upload =
          store.tree("alice", "users/alice", keys).openWrite(VirtualPath.of("x"), 0)) {
        upload.stream().write(text.getBytes(StandardCharsets.UTF_8));
        upload.commit();
      }
    } finally {
      io.shutdownNow();
    }
    ResponseBytes<GetObjectResponse> object =
        attacker.getObjectAsBytes(b -> b.bucket("attackers-own").key("users/alice/x"));
    assertThat(object.response().metadata()).containsEntry("dz-key-ref", "kms:" + attackerKey);
    return new Stored(object.asByteArray(), object.response().metadata());
  }

  private void plant(String key, Stored object) {
    attacker.putObject(
        b -> b.bucket(BUCKET).key(key).metadata(object.metadata()),
        RequestBody.fromBytes(object.body()));
  }

  private void editMetadata(String key, String name, String value) {
    Map<String, String> metadata =
        new HashMap<>(attacker.headObject(b -> b.bucket(BUCKET).key(key)).metadata());
    metadata.put(name, value);
    attacker.copyObject(
        b ->
            b.sourceBucket(BUCKET)
                .sourceKey(key)
                .destinationBucket(BUCKET)
                .destinationKey(key)
                .metadata(metadata)
                .metadataDirective(MetadataDirective.REPLACE));
  }

  private void setProperty(String name, String value) {
    savedProperties.put(name, System.getProperty(name));
    System.setProperty(name, value);
  }

  private static FTPClient login(GatewayRuntime gateway) throws Exception {
    FTPClient client = new FTPClient();
    client.connect("127.0.0.1", gateway.ftpPort());
    assertThat(client.login("alice", "alice-pw")).isTrue();
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static boolean store(FTPClient client, String name, String text) throws Exception {
    return client.storeFile(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String retrieve(FTPClient client, String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(client.retrieveFile(name, out)).as(client.getReplyString()).isTrue();
    return out.toString(StandardCharsets.UTF_8);
  }

  private record Stored(byte[] body, Map<String, String> metadata) {}
}
