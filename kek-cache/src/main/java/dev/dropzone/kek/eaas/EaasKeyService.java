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
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Wraps data keys with the EaaS API's RSA key pairs ({@code POST /key/encrypt/rsa} and {@code
 * /key/decrypt/rsa}). The wrapped text is the service's hex ciphertext; the reference {@code
 * eaas:<secret_path>:<secret_version>} names the key pair version, which unwrapping uses, so keys
 * wrapped before a version change still unwrap.
 *
 * <p>RSA encryption has no associated data, so unlike the other providers this one cannot bind a
 * wrapped key to its user; the per-object key metadata still names the owner.
 *
 * <p>The service answers HTTP 200 with {@code {"Info": "..."}} or {@code {"Error": "..."}} when it
 * cannot do what was asked (e.g. no such secret): any reply without the expected field is a
 * refusal, and its message is passed on.
 */
public final class EaasKeyService implements KeyService, AutoCloseable {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "eaas";

  private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}");

  private final EaasSettings settings;
  private final JsonEndpoint endpoint;
  private final String masterKeyId;

  private EaasKeyService(EaasSettings settings, JsonEndpoint endpoint) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.masterKeyId = PROVIDER + ":" + settings.secretPath() + ":" + settings.secretVersion();
  }

  /** A client for the key pair in {@code settings}; close it to release its connections. */
  public static EaasKeyService open(EaasSettings settings) {
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
    ObjectNode body = request(version);
    body.put("plaintext", Base64.getEncoder().encodeToString(dataKey));
    return endpoint
        .post("/key/encrypt/rsa", Map.of(), body, operation)
        .thenApply(reply -> wrapped(reply, operation));
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    int version;
    String operation;
    try {
      version = version(wrapped, describe(settings.secretVersion()) + ": decrypt " + wrapped.ref());
      operation = describe(version) + ": decrypt for " + binding;
      if (!HEX.matcher(wrapped.text()).matches()) {
        throw new KeyServiceException(
            Failure.INVALID, operation + ": the wrapped key is not a hex ciphertext");
      }
    } catch (KeyServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
    ObjectNode body = request(version);
    body.put("ciphertext", wrapped.text());
    return endpoint
        .post("/key/decrypt/rsa", Map.of(), body, operation)
        .thenApply(reply -> plaintext(reply, operation));
  }

  private ObjectNode request(int version) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("secret_path", settings.secretPath());
    body.put("secret_version", version);
    return body;
  }

  private WrappedKey wrapped(JsonReply reply, String operation) {
    String ciphertext = expected(reply, "ciphertext", operation);
    if (!HEX.matcher(ciphertext).matches()) {
      throw failure(Failure.REJECTED, operation + ": the ciphertext in the reply is not hex");
    }
    try {
      return new WrappedKey(masterKeyId, ciphertext.toLowerCase(Locale.ROOT));
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
    throw failure(
        Failure.REJECTED,
        operation
            + ": HTTP "
            + reply.status()
            + " without '"
            + name
            + "'"
            + (said == null ? "" : ": " + said));
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
    return Integer.parseInt(version);
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
