package dev.dropzone.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.eaas.EaasKeyService;
import dev.dropzone.kek.eaas.EaasProtocolServer;
import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.kek.vault.VaultTransitSettings;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.Outcome;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Rewrap after a Vault Transit key rotation, over 300 real objects on the in-process S3 server:
 * every object ends up wrapped by v2 and stays readable, and no body is ever uploaded again. EaaS,
 * which cannot rewrap inside the service, takes the unwrap-and-wrap path.
 */
class ObjectRewrapTest {

  private static final int OBJECTS = 300;

  private S3ProxyFixture s3;
  private VaultTransitProtocolServer vault;
  private VaultTransitKeyService keyService;
  private ExecutorService blocking;
  private S3Settings settings;

  @BeforeEach
  void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    settings = s3.bucket("rewrap", "dz");
    vault = VaultTransitProtocolServer.start("transit", "s.token");
    // Derived: format v2 keys are bound by derivation context, which Vault's rewrap endpoint takes,
    // so they are rewrapped inside Vault (a plain key binds by associated data, which it does not).
    vault.createKey("dropzone", true);
    keyService =
        VaultTransitKeyService.open(
            VaultTransitSettings.of(vault.uri(), "dropzone", "s.token").withDerived(true));
    blocking = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void stop() throws Exception {
    blocking.shutdownNow();
    keyService.close();
    vault.close();
    s3.close();
  }

  @Test
  void rewrapsEveryObjectByMetadataCopyAndAReRunFindsNothingLeft() throws Exception {
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      for (String user : List.of("alice", "bob", "carol")) {
        FileTree tree = store.tree(user, "users/" + user, keys(store));
        for (int i = 0; i < OBJECTS / 3; i++) {
          write(tree, "f" + i + ".txt", user + " file " + i);
        }
        tree.mkdir(VirtualPath.of("empty-dir"));
      }
    }
    Map<String, Long> sizes = new HashMap<>();
    Map<String, String> etags = new HashMap<>();
    Map<String, byte[]> bodies = new HashMap<>();
    try (S3Client plain = S3Clients.create(settings)) {
      for (var object : plain.listObjectsV2Paginator(b -> b.bucket("rewrap")).contents()) {
        if (object.key().endsWith(".txt")) {
          sizes.put(object.key(), object.size());
          etags.put(object.key(), object.eTag());
          bodies.put(
              object.key(),
              plain.getObjectAsBytes(b -> b.bucket("rewrap").key(object.key())).asByteArray());
          assertThat(head(plain, object.key()).metadata().get(ObjectFormat.META_KEY_REF))
              .endsWith(":v1");
        }
      }
    }
    assertThat(sizes).hasSize(OBJECTS);

    vault.rotate("dropzone");
    Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    S3Client counted =
        S3Clients.builder(settings)
            .overrideConfiguration(o -> o.addExecutionInterceptor(counter(requests)))
            .build();
    ServiceCalls calls = new ServiceCalls(Duration.ofSeconds(30));
    try (StoredKeys stored = StoredKeys.using(counted, settings)) {
      String current = new KeyCheck(keyService, calls).run().keyRef();
      assertThat(current).endsWith(":v2");
      List<StoredObject> objects = stored.objects("");
      assertThat(objects).hasSize(OBJECTS);
      AtomicInteger progress = new AtomicInteger();
      // Before: the uploads' checks of their new keys and the key check above.
      int decryptsBefore = vault.server().count("decrypt");

      ObjectRun.Summary<Outcome> first =
          new ObjectRewrap(stored, keyService, calls, 4)
              .run(objects, current, progress::incrementAndGet);

      assertThat(first.failures()).isEmpty();
      assertThat(first.count(Outcome.REWRAPPED)).isEqualTo(OBJECTS);
      assertThat(progress).hasValue(OBJECTS);
      assertThat(requests.get("CopyObject")).hasValue(OBJECTS);
      assertThat(requests).doesNotContainKeys("PutObject", "UploadPart", "CreateMultipartUpload");
      assertThat(vault.server().count("rewrap")).isEqualTo(OBJECTS);
      assertThat(vault.server().count("decrypt"))
          .as("data keys never left Vault")
          .isEqualTo(decryptsBefore);

      ObjectRun.Summary<Outcome> again =
          new ObjectRewrap(stored, keyService, calls, 4).run(stored.objects(""), current, () -> {});
      assertThat(again.count(Outcome.ALREADY_CURRENT)).isEqualTo(OBJECTS);
      assertThat(again.count(Outcome.REWRAPPED)).isZero();
      assertThat(requests.get("CopyObject")).hasValue(OBJECTS);

      List<String> users = stored.recordedUsers();
      ObjectRun.Summary<Outcome> records =
          new ObjectRewrap(stored, keyService, calls, 2).runRecords(users, current, () -> {});
      assertThat(records.failures()).isEmpty();
      assertThat(records.count(Outcome.REWRAPPED)).isEqualTo(3);
      for (String user : users) {
        assertThat(stored.records().read(user).orElseThrow().key().ref()).endsWith(":v2");
      }
    }

    try (S3Client plain = S3Clients.create(settings)) {
      for (Map.Entry<String, Long> e : sizes.entrySet()) {
        HeadObjectResponse head = head(plain, e.getKey());
        assertThat(head.contentLength()).isEqualTo(e.getValue());
        // Single-part objects: the ETag is the body's MD5, so an unchanged body keeps it (S3 and
        // S3Proxy alike; a multipart object's ETag would change on copy even with the same body).
        assertThat(head.eTag()).as("ETag of %s", e.getKey()).isEqualTo(etags.get(e.getKey()));
        assertThat(head.metadata().get(ObjectFormat.META_KEY_REF)).endsWith(":v2");
        assertThat(head.metadata()).containsKeys(ObjectFormat.META_USER, ObjectFormat.META_FORMAT);
        assertThat(plain.getObjectAsBytes(b -> b.bucket("rewrap").key(e.getKey())).asByteArray())
            .as("body of %s", e.getKey())
            .isEqualTo(bodies.get(e.getKey()));
      }
    }
    // A fresh cache unwraps the new v2 wraps: every file still decrypts.
    try (EncryptedStore store = EncryptedStore.open(settings)) {
      int decrypts = vault.server().count("decrypt");
      int encrypts = vault.server().count("encrypt");
      FileTree tree = store.tree("bob", "users/bob", keys(store));
      for (int i = 0; i < OBJECTS / 3; i++) {
        try (InputStream in = tree.openRead(VirtualPath.of("f" + i + ".txt"), 0)) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .isEqualTo("bob file " + i);
        }
      }
      assertThat(vault.server().count("decrypt")).isGreaterThan(decrypts);
      // The rewrapped key records still prove themselves (their MACs do not cover the wrap).
      write(tree, "after-rewrap.txt", "written with the rewrapped record");
      assertThat(vault.server().count("encrypt")).as("no new key was needed").isEqualTo(encrypts);
    }
  }

  @Test
  void providersWithoutRewrapUnwrapAndWrapAgain() throws Exception {
    try (EaasProtocolServer eaas = EaasProtocolServer.start("");
        EaasKeyService v1 =
            EaasKeyService.open(
                EaasSettings.of(eaas.uri(), "dz/master", 1).withToken(eaas.token()));
        EaasKeyService v2 =
            EaasKeyService.open(
                EaasSettings.of(eaas.uri(), "dz/master", 2).withToken(eaas.token()))) {
      eaas.createSecret("dz/master", 1);
      eaas.createSecret("dz/master", 2);
      try (EncryptedStore store = EncryptedStore.open(settings)) {
        FileTree tree = store.tree("dave", "users/dave", keys(store, v1));
        for (int i = 0; i < 3; i++) {
          write(tree, "e" + i + ".txt", "eaas file " + i);
        }
      }
      ServiceCalls calls = new ServiceCalls(Duration.ofSeconds(30));
      String current = new KeyCheck(v2, calls).run().keyRef();

      try (StoredKeys stored = StoredKeys.open(settings)) {
        ObjectRun.Summary<Outcome> summary =
            new ObjectRewrap(stored, v2, calls, 1)
                .run(stored.objects("users/dave/"), current, () -> {});
        assertThat(summary.failures()).isEmpty();
        assertThat(summary.count(Outcome.REWRAPPED)).isEqualTo(3);
      }

      try (S3Client plain = S3Clients.create(settings);
          EncryptedStore store = EncryptedStore.open(settings)) {
        FileTree tree = store.tree("dave", "users/dave", keys(store, v2));
        for (int i = 0; i < 3; i++) {
          String key = "dz/users/dave/e" + i + ".txt";
          assertThat(head(plain, key).metadata().get(ObjectFormat.META_KEY_REF)).isEqualTo(current);
          try (InputStream in = tree.openRead(VirtualPath.of("e" + i + ".txt"), 0)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("eaas file " + i);
          }
        }
      }
    }
  }

  private UserKeys keys(EncryptedStore store) {
    return keys(store, keyService);
  }

  private UserKeys keys(EncryptedStore store, KeyService service) {
    return UserKeys.builder(
            service, DataKeyCache.builder(service).build(), store.keyRecords(), blocking)
        .build();
  }

  private static void write(FileTree tree, String name, String text) throws Exception {
    try (Upload upload = tree.openWrite(VirtualPath.of(name), 0)) {
      upload.stream().write(text.getBytes(StandardCharsets.UTF_8));
      upload.commit();
    }
  }

  private static HeadObjectResponse head(S3Client s3, String key) {
    return s3.headObject(b -> b.bucket("rewrap").key(key));
  }

  private static ExecutionInterceptor counter(Map<String, AtomicInteger> requests) {
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        requests.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
      }
    };
  }
}
