package dev.dropzone.kek.eaas;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.JsonEndpoint;
import dev.dropzone.kek.http.JsonReply;
import dev.dropzone.kek.provider.DataKeyBytes;
import dev.dropzone.kek.provider.ForeignKeys;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wraps data keys with the EaaS API's RSA key pairs ({@code POST /key/encrypt/rsa} and {@code
 * /key/decrypt/rsa}). The reference {@code eaas:<secret_path>:<secret_version>} names the key pair
 * version, which unwrapping uses, so keys wrapped before a version change still unwrap; versions
 * below the configured minimum are refused without asking the service, so metadata cannot point at
 * a retired key pair.
 *
 * <p>Every request carries the configured credentials: the token as {@code Authorization: Bearer
 * <token>}, and/or the TLS client certificate of the HTTP settings. The service answers {@code
 * 401}/{@code 403} when they do not satisfy it; that is a refusal, never retried.
 *
 * <p>RSA encryption has no associated data and the API takes no OAEP label, so the binding is a
 * {@link BindingTag}: the wrapped text of a format v2 key is {@code <hex RSA ciphertext>.<hex
 * tag>}, and the tag is checked after decrypting, before the key is used. Format v1 keys keep the
 * plain {@code <hex ciphertext>} form of old (a tag on them is checked too); a key without a tag is
 * accepted for a v1 user binding only.
 *
 * <p>What the tag cannot do: RSA wrapping is public-key encryption, and the public key is not a
 * secret. Whoever holds it can wrap a data key of their own choosing, with a valid tag for any
 * binding, so with this provider a bucket writer who has the public key can plant objects that
 * decrypt. Providers with a symmetric master key (Vault, KMS, PKCS#11, local) do not have this gap.
 *
 * <p>The service answers HTTP 200 with {@code {"Info": "..."}} or {@code {"Error": "..."}} when it
 * cannot do what was asked (e.g. no such secret): any reply without the expected field is a
 * refusal, and its message is passed on.
 */
public final class EaasKeyService implements KeyService, AutoCloseable {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "eaas";

  private static final Pattern WRAPPED =
      Pattern.compile("((?:[0-9a-fA-F]{2})+)(?:\\.([0-9a-f]{" + 2 * BindingTag.BYTES + "}))?");
  private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}");

  private final EaasSettings settings;
  private final JsonEndpoint endpoint;
  private final String masterKeyId;
  private final Map<String, String> headers;

  private EaasKeyService(EaasSettings settings, JsonEndpoint endpoint) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.masterKeyId = PROVIDER + ":" + settings.secretPath() + ":" + settings.secretVersion();
    this.headers =
        settings.token().map(token -> Map.of("Authorization", "Bearer " + token)).orElse(Map.of());
  }

  /**
   * A client for the key pair in {@code settings}; close it to release its connections.
   *
   * @throws IllegalArgumentException if the settings carry no credentials (the service refuses
   *     anonymous requests), or name plain http to another machine without allowing it
   */
  public static EaasKeyService open(EaasSettings settings) {
    if (!settings.hasCredentials()) {
      throw new IllegalArgumentException(
          "the EaaS API at "
              + settings.url()
              + " needs credentials: a token, a TLS client certificate, or both");
    }
    return new EaasKeyService(settings, JsonEndpoint.open(settings.url(), settings.http()));
  }

  @Override
  public String masterKeyId() {
    return masterKeyId;
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    if (!DataKeyBytes.fits(dataKey)) {
      return CompletableFuture.failedFuture(DataKeyBytes.wrongSize(dataKey));
    }
    int version = settings.secretVersion();
    String operation = describe(version) + ": encrypt for " + binding;
    String tag =
        binding.scope() == KeyBinding.Scope.DOMAIN
            ? "." + HexFormat.of().formatHex(BindingTag.of(dataKey, binding))
            : "";
    ObjectNode body = request(version);
    body.put("plaintext", Base64.getEncoder().encodeToString(dataKey));
    return endpoint
        .post("/key/encrypt/rsa", headers, body, operation)
        .thenApply(reply -> wrapped(reply, tag, operation));
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    int version;
    String operation;
    Matcher text = WRAPPED.matcher(wrapped.text());
    try {
      version = version(wrapped, describe(settings.secretVersion()) + ": decrypt " + wrapped.ref());
      operation = describe(version) + ": decrypt for " + binding;
      if (!text.matches()) {
        throw new KeyServiceException(
            Failure.INVALID,
            operation + ": the wrapped key is not a hex ciphertext with an optional binding tag");
      }
      if (text.group(2) == null && binding.scope() == KeyBinding.Scope.DOMAIN) {
        throw new KeyServiceException(
            Failure.REJECTED,
            operation
                + ": the wrapped key carries no binding tag, as format v1 keys do; it is not"
                + " accepted for a key domain");
      }
    } catch (KeyServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] tag = text.group(2) == null ? null : HexFormat.of().parseHex(text.group(2));
    ObjectNode body = request(version);
    body.put("ciphertext", text.group(1));
    return endpoint
        .post("/key/decrypt/rsa", headers, body, operation)
        .thenApply(reply -> checked(plaintext(reply, operation), tag, binding, operation));
  }

  /** {@code dataKey} if it carries {@code tag} for {@code binding}; otherwise wiped and refused. */
  private static byte[] checked(byte[] dataKey, byte[] tag, KeyBinding binding, String operation) {
    if (tag == null || BindingTag.matches(tag, dataKey, binding)) {
      return dataKey;
    }
    Arrays.fill(dataKey, (byte) 0);
    throw failure(
        Failure.REJECTED,
        operation
            + ": the binding tag does not match: the key was wrapped for another user or key"
            + " domain, or altered");
  }

  private ObjectNode request(int version) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("secret_path", settings.secretPath());
    body.put("secret_version", version);
    return body;
  }

  private WrappedKey wrapped(JsonReply reply, String tag, String operation) {
    String ciphertext = expected(reply, "ciphertext", operation);
    if (!HEX.matcher(ciphertext).matches()) {
      throw failure(Failure.REJECTED, operation + ": the ciphertext in the reply is not hex");
    }
    try {
      return new WrappedKey(masterKeyId, ciphertext.toLowerCase(Locale.ROOT) + tag);
    } catch (IllegalArgumentException e) {
      throw failure(Failure.REJECTED, operation + ": unusable ciphertext: " + e.getMessage());
    }
  }

  private static byte[] plaintext(JsonReply reply, String operation) {
    return DataKeyBytes.fromBase64(
        expected(reply, "plaintext", operation), "the plaintext", operation);
  }

  /** The text field {@code name}, or a refusal carrying whatever the service said instead. */
  private static String expected(JsonReply reply, String name, String operation) {
    String value = reply.text(name);
    if (reply.ok() && value != null && !value.isEmpty()) {
      return value;
    }
    String said = firstNonNull(reply.text("Error"), reply.text("Info"), reply.text("error"));
    boolean credentials = reply.status() == 401 || reply.status() == 403;
    throw failure(
        Failure.REJECTED,
        operation
            + ": HTTP "
            + reply.status()
            + " without '"
            + name
            + "'"
            + (said == null ? "" : ": " + said)
            + (credentials
                ? " (the service refused the credentials: check the token and the client"
                    + " certificate)"
                : ""));
  }

  private int version(WrappedKey wrapped, String operation) throws KeyServiceException {
    ForeignKeys.requireProvider(wrapped, PROVIDER, operation);
    String prefix = PROVIDER + ":" + settings.secretPath() + ":";
    if (!wrapped.ref().startsWith(prefix)) {
      throw new KeyServiceException(
          Failure.REJECTED,
          operation
              + ": the key was wrapped with another secret path than "
              + settings.secretPath());
    }
    String version = wrapped.ref().substring(prefix.length());
    if (!VERSION.matcher(version).matches()) {
      throw new KeyServiceException(
          Failure.INVALID, operation + ": the reference has no numeric secret version");
    }
    int number = Integer.parseInt(version);
    if (number < settings.minSecretVersion()) {
      throw new KeyServiceException(
          Failure.REJECTED,
          operation
              + ": refused without asking the service: the reference names secret_version "
              + number
              + ", below the minimum "
              + settings.minSecretVersion()
              + " (keys.eaas.minSecretVersion). Its dz-key-ref was altered, or the object still"
              + " needs keys rewrap: lower the minimum for the rewrap if it is genuine");
    }
    return number;
  }

  private String describe(int version) {
    return "eaas at "
        + endpoint.address()
        + " secret '"
        + settings.secretPath()
        + "' version "
        + version;
  }

  private static String firstNonNull(String... values) {
    for (String value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static CompletionException failure(Failure failure, String message) {
    return new CompletionException(new KeyServiceException(failure, message));
  }

  @Override
  public void close() {
    endpoint.close();
  }

  @Override
  public String toString() {
    return "EaasKeyService[" + describe(settings.secretVersion()) + "]";
  }
}
