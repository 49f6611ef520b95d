package dev.dropzone.kek.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.Rewrapping;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.JsonEndpoint;
import dev.dropzone.kek.http.JsonReply;
import dev.dropzone.kek.provider.DataKeyBytes;
import dev.dropzone.kek.provider.ForeignKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wraps data keys with a HashiCorp Vault or OpenBao Transit key. The wrapped text is Vault's
 * ciphertext verbatim ({@code vault:v<N>:...}), and the key reference names the key version, e.g.
 * {@code vault:transit/dropzone:v3}, so after a rotation it is visible which objects still carry
 * keys wrapped by an old version; {@link #rewrap} moves them to the newest one.
 *
 * <p>Every request carries the binding, so a wrapped key only unwraps for what it was wrapped for:
 *
 * <ul>
 *   <li>a key created with {@code derived=true} gets the derivation {@code context} {@code
 *       dropzone:user:<user>} (format v1) or {@code dropzone:domain:<key domain>} (format v2):
 *       Vault derives a key of its own for each;
 *   <li>any other key gets, for format v2 bindings, {@code associated_data} {@link
 *       KeyBinding#associatedData()} ({@code dropzone/kek/v2:<key domain>}), which Vault
 *       authenticates as AES-GCM additional data (it needs an AEAD key type: {@code aes256-gcm96},
 *       the default, {@code aes128-gcm96} or {@code chacha20-poly1305}). Format v1 bindings send
 *       nothing, exactly as before, so keys wrapped then still unwrap.
 * </ul>
 *
 * <p>Vault's {@code rewrap} endpoint takes a derivation context but no {@code associated_data} (it
 * would fail authentication), so keys bound by associated data are rewrapped as a decrypt and an
 * encrypt: the data key passes through the gateway's memory, as on every read, and is wiped.
 */
public final class VaultTransitKeyService implements KeyService, Rewrapping, AutoCloseable {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "vault";

  private static final Pattern CIPHERTEXT =
      Pattern.compile("vault:v([1-9][0-9]{0,8}):[A-Za-z0-9+/]+={0,2}");
  private static final String USER_CONTEXT_PREFIX = "dropzone:user:";
  private static final String DOMAIN_CONTEXT_PREFIX = "dropzone:domain:";

  private final VaultTransitSettings settings;
  private final JsonEndpoint endpoint;
  private final String masterKeyId;
  private final String description;
  private final Map<String, String> headers;

  private VaultTransitKeyService(VaultTransitSettings settings, JsonEndpoint endpoint) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.masterKeyId = PROVIDER + ":" + settings.mount() + "/" + settings.key();
    this.description =
        "vault transit at "
            + endpoint.address()
            + " key '"
            + settings.key()
            + "' (mount '"
            + settings.mount()
            + "')";
    Map<String, String> common = new HashMap<>();
    common.put("X-Vault-Token", settings.token());
    settings.namespace().ifPresent(namespace -> common.put("X-Vault-Namespace", namespace));
    this.headers = Map.copyOf(common);
  }

  /** A client for the Transit key in {@code settings}; close it to release its connections. */
  public static VaultTransitKeyService open(VaultTransitSettings settings) {
    return new VaultTransitKeyService(
        settings, JsonEndpoint.open(settings.address(), settings.http()));
  }

  /** {@code vault:<mount>/<key>}; each wrapped key's reference adds {@code :v<version>}. */
  @Override
  public String masterKeyId() {
    return masterKeyId;
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    if (!DataKeyBytes.fits(dataKey)) {
      return CompletableFuture.failedFuture(DataKeyBytes.wrongSize(dataKey));
    }
    ObjectNode body = request(binding);
    body.put("plaintext", Base64.getEncoder().encodeToString(dataKey));
    String operation = description + ": encrypt for " + binding;
    return endpoint
        .post(path("encrypt"), headers, body, operation)
        .thenApply(reply -> wrapped(reply, operation));
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    return withCiphertext("decrypt", wrapped, binding, VaultTransitKeyService::plaintext);
  }

  /**
   * Re-encrypts {@code wrapped} under the newest version of the Transit key: inside Vault, unless
   * the binding travels as {@code associated_data}, which Vault's rewrap endpoint does not take.
   */
  @Override
  public CompletableFuture<WrappedKey> rewrap(WrappedKey wrapped, KeyBinding binding) {
    if (!boundByAssociatedData(binding)) {
      return withCiphertext("rewrap", wrapped, binding, this::wrapped);
    }
    return unwrap(wrapped, binding)
        .thenCompose(
            dataKey ->
                wrap(dataKey, binding)
                    .whenComplete((done, error) -> Arrays.fill(dataKey, (byte) 0)));
  }

  /** Sends one of this key's own ciphertexts to the Transit {@code endpointName}. */
  private <T> CompletableFuture<T> withCiphertext(
      String endpointName,
      WrappedKey wrapped,
      KeyBinding binding,
      BiFunction<JsonReply, String, T> result) {
    String operation = description + ": " + endpointName + " " + wrapped.ref() + " for " + binding;
    try {
      checkOwn(wrapped, operation);
    } catch (KeyServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
    ObjectNode body = request(binding);
    body.put("ciphertext", wrapped.text());
    return endpoint
        .post(path(endpointName), headers, body, operation)
        .thenApply(reply -> result.apply(reply, operation));
  }

  private ObjectNode request(KeyBinding binding) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (settings.derived()) {
      String prefix =
          binding.scope() == KeyBinding.Scope.USER ? USER_CONTEXT_PREFIX : DOMAIN_CONTEXT_PREFIX;
      byte[] context = (prefix + binding.name()).getBytes(StandardCharsets.UTF_8);
      body.put("context", Base64.getEncoder().encodeToString(context));
    } else if (boundByAssociatedData(binding)) {
      body.put("associated_data", Base64.getEncoder().encodeToString(binding.associatedData()));
    }
    return body;
  }

  /** Format v2 bindings on a key without derivation travel as associated data. */
  private boolean boundByAssociatedData(KeyBinding binding) {
    return !settings.derived() && binding.scope() == KeyBinding.Scope.DOMAIN;
  }

  private String path(String operation) {
    return "/v1/" + settings.mount() + "/" + operation + "/" + settings.key();
  }

  private WrappedKey wrapped(JsonReply reply, String operation) {
    JsonNode data = success(reply, operation);
    String ciphertext = data.path("ciphertext").asText("");
    Matcher matcher = CIPHERTEXT.matcher(ciphertext);
    if (!matcher.matches()) {
      throw failure(
          Failure.REJECTED,
          operation + ": the reply carries no 'vault:v<N>:' ciphertext in data.ciphertext");
    }
    try {
      return new WrappedKey(masterKeyId + ":v" + matcher.group(1), ciphertext);
    } catch (IllegalArgumentException e) {
      throw failure(Failure.REJECTED, operation + ": unusable ciphertext: " + e.getMessage());
    }
  }

  private static byte[] plaintext(JsonReply reply, String operation) {
    return DataKeyBytes.fromBase64(
        success(reply, operation).path("plaintext").asText(""), "data.plaintext", operation);
  }

  private static JsonNode success(JsonReply reply, String operation) {
    if (!reply.ok()) {
      throw failure(
          Failure.REJECTED, operation + ": refused with HTTP " + reply.status() + errors(reply));
    }
    JsonNode data = reply.body().path("data");
    if (!data.isObject()) {
      throw failure(
          Failure.REJECTED,
          operation
              + ": HTTP "
              + reply.status()
              + " reply without a 'data' object"
              + errors(reply));
    }
    return data;
  }

  /** Vault's own explanation: {@code {"errors": ["permission denied"]}}. */
  private static String errors(JsonReply reply) {
    List<String> messages = new ArrayList<>();
    reply.body().path("errors").forEach(error -> messages.add(error.asText()));
    return messages.isEmpty() ? "" : ": " + String.join("; ", messages);
  }

  private void checkOwn(WrappedKey wrapped, String operation) throws KeyServiceException {
    ForeignKeys.requireProvider(wrapped, PROVIDER, operation);
    String prefix = masterKeyId + ":v";
    if (!wrapped.ref().startsWith(prefix)) {
      throw new KeyServiceException(
          Failure.REJECTED,
          operation + ": the key was wrapped by another Transit key than " + masterKeyId);
    }
    Matcher matcher = CIPHERTEXT.matcher(wrapped.text());
    if (!matcher.matches()) {
      throw new KeyServiceException(
          Failure.INVALID, operation + ": the wrapped key is not a 'vault:v<N>:' ciphertext");
    }
    String version = wrapped.ref().substring(prefix.length());
    if (!version.equals(matcher.group(1))) {
      throw new KeyServiceException(
          Failure.INVALID,
          operation
              + ": the reference names key version "
              + version
              + " but the ciphertext version "
              + matcher.group(1));
    }
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
    return "VaultTransitKeyService[" + description + "]";
  }
}
