package dev.dropzone.kek.vault;

import dev.dropzone.kek.testing.ProtocolServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Vault Transit protocol test server: speaks the Transit engine's wire protocol ({@code POST
 * /v1/<mount>/encrypt|decrypt|rewrap/<key>}, {@code X-Vault-Token}, {@code X-Vault-Namespace},
 * {@code {"data": ...}} replies and {@code {"errors": [...]}} failures with Vault's status codes)
 * and really encrypts: each key keeps AES-256-GCM versions, ciphertexts are {@code
 * vault:v<N>:base64(nonce || ciphertext || tag)} as Vault writes them, rotation adds a version,
 * derived keys derive per context, and a wrong ciphertext fails authentication as it does in Vault.
 *
 * <p>{@code associated_data} (base64) is authenticated as AES-GCM additional data by encrypt and
 * decrypt, as Vault does for its AEAD key types. Like Vault, {@code rewrap} does not take it: the
 * parameter is ignored with a warning, so a ciphertext made with associated data fails
 * authentication there.
 */
public final class VaultTransitProtocolServer implements AutoCloseable {

  private static final Pattern CIPHERTEXT = Pattern.compile("vault:v(\\d+):(.*)");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String token;
  private final Optional<String> namespace;
  private final Map<String, TransitKey> keys = new ConcurrentHashMap<>();
  private final ProtocolServer server;

  private VaultTransitProtocolServer(
      String mount, String token, Optional<String> namespace, KeyCertOptions certificate) {
    this.server = new ProtocolServer(certificate);
    this.token = token;
    this.namespace = namespace;
    String route = "/v1/" + Pattern.quote(mount) + "/%s/([^/]+)";
    server
        .post(String.format(route, "encrypt"), "encrypt", this::encrypt)
        .post(String.format(route, "decrypt"), "decrypt", this::decrypt)
        .post(String.format(route, "rewrap"), "rewrap", this::rewrap)
        .otherwise(404, errors("no handler for route; route entry not found."))
        .start();
  }

  public static VaultTransitProtocolServer start(String mount, String token) {
    return new VaultTransitProtocolServer(mount, token, Optional.empty(), null);
  }

  /** A server that speaks HTTPS with {@code certificate}. */
  public static VaultTransitProtocolServer startTls(
      String mount, String token, KeyCertOptions certificate) {
    return new VaultTransitProtocolServer(mount, token, Optional.empty(), certificate);
  }

  public static VaultTransitProtocolServer startWithNamespace(
      String mount, String token, String namespace) {
    return new VaultTransitProtocolServer(mount, token, Optional.of(namespace), null);
  }

  public URI uri() {
    return server.uri();
  }

  public ProtocolServer server() {
    return server;
  }

  /** Creates a key as {@code vault write -f transit/keys/<name> derived=<derived>} does. */
  public void createKey(String name, boolean derived) {
    keys.put(name, new TransitKey(derived));
  }

  /** Adds a new version, as {@code vault write -f transit/keys/<name>/rotate} does. */
  public void rotate(String name) {
    keys.get(name).rotate();
  }

  /** Deletes a key, as {@code vault delete transit/keys/<name>} does (after deletion_allowed). */
  public void deleteKey(String name) {
    keys.remove(name);
  }

  public void failNext(int count, int status, String message) {
    server.failNext(count, status, errors(message));
  }

  private void encrypt(RoutingContext context) {
    Request request = authorised(context);
    if (request == null) {
      return;
    }
    // Vault's upsert: encrypting with an unknown key creates it.
    TransitKey key = keys.computeIfAbsent(request.name, name -> new TransitKey(false));
    byte[] plaintext;
    try {
      plaintext = Base64.getDecoder().decode(request.body.getString("plaintext", ""));
    } catch (IllegalArgumentException e) {
      fail(context, 400, "failed to base64-decode plaintext");
      return;
    }
    if (plaintext.length == 0 && !request.body.containsKey("plaintext")) {
      fail(context, 400, "missing plaintext to encrypt");
      return;
    }
    byte[] associatedData = associatedData(context, request);
    if (associatedData != null) {
      encrypted(context, key, request, plaintext, associatedData, null);
    }
  }

  private void decrypt(RoutingContext context) {
    Request request = authorised(context);
    if (request == null) {
      return;
    }
    byte[] associatedData = associatedData(context, request);
    if (associatedData == null) {
      return;
    }
    byte[] plaintext = open(context, request, associatedData);
    if (plaintext != null) {
      data(
          context,
          new JsonObject().put("plaintext", Base64.getEncoder().encodeToString(plaintext)),
          null);
    }
  }

  private void rewrap(RoutingContext context) {
    Request request = authorised(context);
    if (request == null) {
      return;
    }
    // Vault's rewrap has no associated_data field: it is ignored, as unknown fields are.
    String ignored =
        request.body.containsKey("associated_data")
            ? "Endpoint ignored these unrecognized parameters: [associated_data]"
            : null;
    byte[] plaintext = open(context, request, new byte[0]);
    if (plaintext != null) {
      encrypted(context, keys.get(request.name), request, plaintext, new byte[0], ignored);
    }
  }

  /** The decoded {@code associated_data}, empty if absent, or null after a 400 reply. */
  private static byte[] associatedData(RoutingContext context, Request request) {
    try {
      return Base64.getDecoder().decode(request.body.getString("associated_data", ""));
    } catch (IllegalArgumentException e) {
      fail(context, 400, "failed to base64-decode associated_data: " + e.getMessage());
      return null;
    }
  }

  private void encrypted(
      RoutingContext context,
      TransitKey key,
      Request request,
      byte[] plaintext,
      byte[] associatedData,
      String warning) {
    byte[] derivation = derivation(context, key, request);
    if (derivation == null) {
      return;
    }
    int version = key.latest();
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, key.material(version, derivation), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(associatedData);
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] blob = ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
      data(
          context,
          new JsonObject()
              .put(
                  "ciphertext",
                  "vault:v" + version + ":" + Base64.getEncoder().encodeToString(blob))
              .put("key_version", version),
          warning);
    } catch (GeneralSecurityException e) {
      fail(context, 500, "internal error: " + e.getMessage());
    }
  }

  private byte[] open(RoutingContext context, Request request, byte[] associatedData) {
    TransitKey key = keys.get(request.name);
    if (key == null) {
      fail(context, 400, "encryption key not found");
      return null;
    }
    Matcher matcher = CIPHERTEXT.matcher(request.body.getString("ciphertext", ""));
    if (!matcher.matches()) {
      fail(context, 400, "invalid ciphertext: no prefix");
      return null;
    }
    int version = Integer.parseInt(matcher.group(1));
    if (version < 1 || version > key.latest()) {
      fail(context, 400, "invalid ciphertext: no valid version");
      return null;
    }
    byte[] derivation = derivation(context, key, request);
    if (derivation == null) {
      return null;
    }
    try {
      byte[] blob = Base64.getDecoder().decode(matcher.group(2));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key.material(version, derivation),
          new GCMParameterSpec(128, blob, 0, 12));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(blob, 12, blob.length - 12);
    } catch (IllegalArgumentException e) {
      fail(context, 400, "invalid ciphertext: could not decode base64");
    } catch (GeneralSecurityException e) {
      fail(context, 400, "cipher: message authentication failed");
    }
    return null;
  }

  /** The derivation context a derived key needs, or an empty one for a plain key. */
  private static byte[] derivation(RoutingContext context, TransitKey key, Request request) {
    if (!key.derived) {
      return new byte[0];
    }
    String encoded = request.body.getString("context", "");
    if (encoded.isEmpty()) {
      fail(
          context,
          400,
          "missing 'context' for key derivation; the key was created using a derived key, which"
              + " means additional, per-request information must be included in order to perform"
              + " operations with the key");
      return null;
    }
    return Base64.getDecoder().decode(encoded);
  }

  private Request authorised(RoutingContext context) {
    if (!token.equals(context.request().getHeader("X-Vault-Token"))) {
      fail(context, 403, "permission denied");
      return null;
    }
    if (namespace.isPresent()
        && !namespace.get().equals(context.request().getHeader("X-Vault-Namespace"))) {
      fail(context, 403, "permission denied");
      return null;
    }
    JsonObject body;
    try {
      body = context.body().asJsonObject();
    } catch (RuntimeException e) {
      fail(context, 400, "failed to parse JSON input: " + e.getMessage());
      return null;
    }
    return new Request(context.pathParam("param0"), body == null ? new JsonObject() : body);
  }

  private static void data(RoutingContext context, JsonObject data, String warning) {
    ProtocolServer.reply(
        context,
        200,
        new JsonObject()
            .put("request_id", UUID.randomUUID().toString())
            .put("lease_id", "")
            .put("renewable", false)
            .put("lease_duration", 0)
            .put("data", data)
            .putNull("wrap_info")
            .put("warnings", warning == null ? null : new JsonArray().add(warning))
            .putNull("auth"));
  }

  private static void fail(RoutingContext context, int status, String message) {
    ProtocolServer.reply(context, status, errors(message));
  }

  private static JsonObject errors(String message) {
    return new JsonObject().put("errors", new JsonArray().add(message));
  }

  @Override
  public void close() {
    server.close();
  }

  private record Request(String name, JsonObject body) {}

  /** One named Transit key: AES-256 versions, oldest first. */
  private static final class TransitKey {
    private final boolean derived;
    private final List<byte[]> versions = new ArrayList<>();

    TransitKey(boolean derived) {
      this.derived = derived;
      rotate();
    }

    synchronized void rotate() {
      byte[] material = new byte[32];
      RANDOM.nextBytes(material);
      versions.add(material);
    }

    synchronized int latest() {
      return versions.size();
    }

    synchronized SecretKeySpec material(int version, byte[] context)
        throws GeneralSecurityException {
      byte[] base = versions.get(version - 1);
      if (!derived) {
        return new SecretKeySpec(base, "AES");
      }
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(base, "HmacSHA256"));
      return new SecretKeySpec(mac.doFinal(context), "AES");
    }
  }
}
