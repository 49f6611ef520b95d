package dev.dropzone.kek.kms;

import dev.dropzone.kek.testing.ProtocolServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A KMS JSON-protocol test server: answers {@code POST /} dispatched on {@code X-Amz-Target:
 * TrentService.Encrypt|Decrypt|GenerateDataKey|DescribeKey} with AWS JSON 1.1 bodies and {@code
 * {"__type", "message"}} errors, as KMS does, and refuses unsigned requests. It really encrypts:
 * each key is AES-256-GCM, the ciphertext blob names the key that made it (as KMS blobs do), the
 * encryption context is authenticated, so a different context fails with {@code
 * InvalidCiphertextException}, and a Decrypt naming another key than the blob's fails with {@code
 * IncorrectKeyException}. Aliases can be moved between keys, as {@code UpdateAlias} does.
 */
public final class KmsProtocolServer implements AutoCloseable {

  public static final String ACCOUNT = "000000000000";
  public static final String REGION = "us-east-1";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
  private final Map<String, String> aliases = new ConcurrentHashMap<>();
  private final ProtocolServer server = new ProtocolServer();

  private KmsProtocolServer() {
    route("Encrypt", this::encrypt);
    route("Decrypt", this::decrypt);
    route("GenerateDataKey", this::generateDataKey);
    route("DescribeKey", this::describeKey);
    server
        .otherwise(
            400,
            new JsonObject()
                .put("__type", "UnknownOperationException")
                .put("message", "missing or unknown X-Amz-Target"))
        .start();
  }

  public static KmsProtocolServer start() {
    return new KmsProtocolServer();
  }

  public URI uri() {
    return server.uri();
  }

  public ProtocolServer server() {
    return server;
  }

  /** Creates a key reachable as {@code alias}; returns its ARN. */
  public String createKey(String alias) {
    byte[] material = new byte[32];
    RANDOM.nextBytes(material);
    String arn = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + UUID.randomUUID();
    keys.put(arn, material);
    aliases.put(alias, arn);
    return arn;
  }

  /** Points {@code alias} at the key {@code arn}, as {@code aws kms update-alias} does. */
  public void moveAlias(String alias, String arn) {
    aliases.put(alias, arn);
  }

  public void failNext(int count, int status, String type) {
    server.failNext(
        count, status, new JsonObject().put("__type", type).put("message", "injected " + type));
  }

  private void route(String operation, BiConsumer<RoutingContext, JsonObject> handler) {
    server.postWithHeader(
        "/",
        "X-Amz-Target",
        "TrentService." + operation,
        operation,
        context -> {
          if (!String.valueOf(context.request().getHeader("Authorization"))
              .startsWith("AWS4-HMAC-SHA256 ")) {
            error(context, "MissingAuthenticationTokenException", "request is not signed");
            return;
          }
          JsonObject body;
          try {
            body = context.body().asJsonObject();
          } catch (RuntimeException e) {
            body = null;
          }
          if (body == null) {
            error(context, "SerializationException", "body is not JSON");
            return;
          }
          handler.accept(context, body);
        });
  }

  private void encrypt(RoutingContext context, JsonObject body) {
    String arn = resolve(context, body.getString("KeyId"));
    if (arn == null) {
      return;
    }
    byte[] plaintext = Base64.getDecoder().decode(body.getString("Plaintext", ""));
    sealed(context, arn, plaintext, body, false);
  }

  private void generateDataKey(RoutingContext context, JsonObject body) {
    String arn = resolve(context, body.getString("KeyId"));
    if (arn == null) {
      return;
    }
    int bytes =
        "AES_128".equals(body.getString("KeySpec")) ? 16 : body.getInteger("NumberOfBytes", 32);
    byte[] plaintext = new byte[bytes];
    RANDOM.nextBytes(plaintext);
    sealed(context, arn, plaintext, body, true);
  }

  private void describeKey(RoutingContext context, JsonObject body) {
    String arn = resolve(context, body.getString("KeyId"));
    if (arn == null) {
      return;
    }
    ProtocolServer.reply(
        context,
        200,
        new JsonObject()
            .put(
                "KeyMetadata",
                new JsonObject()
                    .put("AWSAccountId", ACCOUNT)
                    .put("KeyId", arn.substring(arn.lastIndexOf('/') + 1))
                    .put("Arn", arn)
                    .put("Enabled", true)
                    .put("KeyState", "Enabled")
                    .put("KeyUsage", "ENCRYPT_DECRYPT")
                    .put("KeySpec", "SYMMETRIC_DEFAULT")
                    .put("KeyManager", "CUSTOMER")));
  }

  private void sealed(
      RoutingContext context, String arn, byte[] plaintext, JsonObject body, boolean reveal) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, arn, nonce, body);
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] name = arn.getBytes(StandardCharsets.UTF_8);
      byte[] blob =
          ByteBuffer.allocate(2 + name.length + 12 + sealed.length)
              .putShort((short) name.length)
              .put(name)
              .put(nonce)
              .put(sealed)
              .array();
      JsonObject reply =
          new JsonObject()
              .put("CiphertextBlob", Base64.getEncoder().encodeToString(blob))
              .put("KeyId", arn)
              .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      if (reveal) {
        reply.put("Plaintext", Base64.getEncoder().encodeToString(plaintext));
      }
      ProtocolServer.reply(context, 200, reply);
    } catch (GeneralSecurityException e) {
      error(context, "KMSInternalException", e.getMessage());
    }
  }

  private void decrypt(RoutingContext context, JsonObject body) {
    byte[] blob;
    String arn;
    try {
      blob = Base64.getDecoder().decode(body.getString("CiphertextBlob", ""));
      ByteBuffer buffer = ByteBuffer.wrap(blob);
      byte[] name = new byte[buffer.getShort()];
      buffer.get(name);
      arn = new String(name, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      error(context, "InvalidCiphertextException", null);
      return;
    }
    if (!keys.containsKey(arn)) {
      error(context, "InvalidCiphertextException", null);
      return;
    }
    String requested = body.getString("KeyId");
    if (requested != null) {
      String named = resolve(context, requested);
      if (named == null) {
        return;
      }
      if (!named.equals(arn)) {
        error(
            context,
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.");
        return;
      }
    }
    int offset = 2 + arn.getBytes(StandardCharsets.UTF_8).length;
    try {
      Cipher cipher =
          cipher(Cipher.DECRYPT_MODE, arn, Arrays.copyOfRange(blob, offset, offset + 12), body);
      byte[] plaintext = cipher.doFinal(blob, offset + 12, blob.length - offset - 12);
      ProtocolServer.reply(
          context,
          200,
          new JsonObject()
              .put("KeyId", arn)
              .put("Plaintext", Base64.getEncoder().encodeToString(plaintext))
              .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
    } catch (GeneralSecurityException | RuntimeException e) {
      error(context, "InvalidCiphertextException", null);
    }
  }

  private Cipher cipher(int mode, String arn, byte[] nonce, JsonObject body)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(keys.get(arn), "AES"), new GCMParameterSpec(128, nonce));
    cipher.updateAAD(canonical(body.getJsonObject("EncryptionContext")));
    return cipher;
  }

  /** The encryption context in a fixed order, authenticated as additional data. */
  private static byte[] canonical(JsonObject encryptionContext) {
    TreeMap<String, Object> sorted = new TreeMap<>();
    if (encryptionContext != null) {
      sorted.putAll(encryptionContext.getMap());
    }
    return sorted.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String resolve(RoutingContext context, String keyId) {
    if (keyId == null) {
      error(context, "ValidationException", "KeyId is required");
      return null;
    }
    String name =
        keyId.startsWith("arn:") && keyId.contains(":alias/")
            ? keyId.substring(keyId.indexOf(":alias/") + 1)
            : keyId;
    String arn = aliases.getOrDefault(name, name);
    if (!keys.containsKey(arn)) {
      arn = keys.keySet().stream().filter(k -> k.endsWith("/" + name)).findFirst().orElse(null);
    }
    if (arn == null) {
      error(context, "NotFoundException", "Key '" + keyId + "' does not exist");
    }
    return arn;
  }

  private static void error(RoutingContext context, String type, String message) {
    JsonObject body = new JsonObject().put("__type", type);
    if (message != null) {
      body.put("message", message);
    }
    ProtocolServer.reply(context, 400, body);
  }

  @Override
  public void close() {
    server.close();
  }
}
