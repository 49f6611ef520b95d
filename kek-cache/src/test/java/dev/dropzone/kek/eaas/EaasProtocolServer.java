package dev.dropzone.kek.eaas;

import dev.dropzone.kek.testing.ProtocolServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An EaaS protocol test server: speaks the seed design's key API ({@code POST
 * <prefix>/key/encrypt/rsa} with {@code {secret_path, secret_version, plaintext}} → {@code
 * {ciphertext}} in hex, {@code /key/decrypt/rsa} back) and really encrypts with an RSA-OAEP key
 * pair per path and version. Like the real service it answers HTTP 200 with {@code {"Info": ...}}
 * when the secret does not exist and {@code {"Error": ...}} when decryption fails.
 *
 * <p>It checks credentials as the service does, before looking at the request: every credential it
 * is configured for must be present — the bearer token ({@code Authorization: Bearer <token>}) and,
 * when started with a client authority, a TLS client certificate that authority signed (one it did
 * not sign fails the TLS handshake). A request missing one is answered {@code 401} with {@code
 * {"Error": "unauthorized: ..."}}.
 */
public final class EaasProtocolServer implements AutoCloseable {

  private static final String OAEP = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, KeyPair> secrets = new ConcurrentHashMap<>();
  private final ProtocolServer server;
  private final String prefix;
  private final String token;
  private final boolean clientCertificates;

  private EaasProtocolServer(
      String prefix, String token, KeyCertOptions certificate, TrustOptions clientAuthority) {
    this.prefix = prefix;
    this.token = token;
    this.clientCertificates = clientAuthority != null;
    this.server = new ProtocolServer(certificate, clientAuthority);
    server
        .post(Pattern.quote(prefix + "/key/encrypt/rsa"), "encrypt", this::encrypt)
        .post(Pattern.quote(prefix + "/key/decrypt/rsa"), "decrypt", this::decrypt)
        .otherwise(404, new JsonObject().put("Error", "not found"))
        .start();
  }

  /**
   * A plain HTTP server whose API lives under {@code prefix} (empty for the root) and that wants a
   * bearer token: {@link #token()}.
   */
  public static EaasProtocolServer start(String prefix) {
    return new EaasProtocolServer(prefix, newToken(), null, null);
  }

  /**
   * An HTTPS server presenting {@code certificate} that wants a client certificate signed by {@code
   * clientAuthority}, and no token.
   */
  public static EaasProtocolServer startMutualTls(
      String prefix, KeyCertOptions certificate, TrustOptions clientAuthority) {
    return new EaasProtocolServer(prefix, null, certificate, clientAuthority);
  }

  public URI uri() {
    return URI.create(server.uri() + prefix);
  }

  /** The bearer token requests must carry, or null if the server wants client certificates. */
  public String token() {
    return token;
  }

  public ProtocolServer server() {
    return server;
  }

  /** Stores a new RSA-2048 key pair as {@code path} version {@code version}. */
  public void createSecret(String path, int version) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    secrets.put(path + "#" + version, generator.generateKeyPair());
  }

  private void encrypt(RoutingContext context) {
    JsonObject body = authorisedBody(context);
    if (body == null) {
      return;
    }
    KeyPair pair = secret(context, body);
    if (pair == null) {
      return;
    }
    try {
      Cipher cipher = Cipher.getInstance(OAEP);
      cipher.init(Cipher.ENCRYPT_MODE, pair.getPublic());
      byte[] sealed =
          cipher.doFinal(body.getString("plaintext", "").getBytes(StandardCharsets.UTF_8));
      ok(context, new JsonObject().put("ciphertext", HexFormat.of().formatHex(sealed)));
    } catch (GeneralSecurityException e) {
      ok(context, new JsonObject().put("Error", "crypto/rsa: " + e.getMessage()));
    }
  }

  private void decrypt(RoutingContext context) {
    JsonObject body = authorisedBody(context);
    if (body == null) {
      return;
    }
    KeyPair pair = secret(context, body);
    if (pair == null) {
      return;
    }
    try {
      byte[] sealed = HexFormat.of().parseHex(body.getString("ciphertext", ""));
      Cipher cipher = Cipher.getInstance(OAEP);
      cipher.init(Cipher.DECRYPT_MODE, pair.getPrivate());
      String plaintext = new String(cipher.doFinal(sealed), StandardCharsets.UTF_8);
      ok(context, new JsonObject().put("plaintext", plaintext));
    } catch (IllegalArgumentException e) {
      ok(context, new JsonObject().put("Error", "encoding/hex: invalid byte"));
    } catch (GeneralSecurityException e) {
      ok(context, new JsonObject().put("Error", "crypto/rsa: decryption error"));
    }
  }

  /** The request's JSON body if its credentials are good; otherwise answers and returns null. */
  private JsonObject authorisedBody(RoutingContext context) {
    if (token != null
        && !("Bearer " + token).equals(context.request().getHeader("Authorization"))) {
      unauthorised(context, "missing or wrong bearer token");
      return null;
    }
    if (clientCertificates && !presentedClientCertificate(context)) {
      unauthorised(context, "no client certificate");
      return null;
    }
    try {
      JsonObject body = context.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException e) {
      // answered below
    }
    ProtocolServer.reply(context, 400, new JsonObject().put("Error", "invalid JSON body"));
    return null;
  }

  private static boolean presentedClientCertificate(RoutingContext context) {
    try {
      return !context.request().connection().peerCertificates().isEmpty();
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static void unauthorised(RoutingContext context, String why) {
    ProtocolServer.reply(context, 401, new JsonObject().put("Error", "unauthorized: " + why));
  }

  private KeyPair secret(RoutingContext context, JsonObject body) {
    Object version = body.getValue("secret_version");
    String path = body.getString("secret_path", "");
    KeyPair pair = secrets.get(path + "#" + version);
    if (pair == null) {
      ok(
          context,
          new JsonObject().put("Info", "No secret found at " + path + " version " + version));
    }
    return pair;
  }

  private static void ok(RoutingContext context, JsonObject body) {
    ProtocolServer.reply(context, 200, body);
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "eaas-" + HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.close();
  }
}
