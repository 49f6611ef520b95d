package dev.dropzone.kek.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for plain {@code http://} to a key service: key services receive credentials (a Vault
 * token, an EaaS token, request signatures) and send back data keys in the clear, so without TLS
 * anyone on the network path reads every data key. Plain HTTP is accepted without being asked for
 * only when it never leaves this machine: {@code localhost} or a loopback address written as such.
 * Host names are not resolved for this check, so a name that resolves to a loopback address today
 * still needs the explicit setting.
 */
public final class PlainHttp {

  /** The configuration setting that allows plain HTTP elsewhere; named in the refusal. */
  public static final String SETTING = "keys.http.allowInsecure";

  private static final Pattern IP_LITERAL =
      Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[[0-9a-fA-F:.]+]");

  private PlainHttp() {}

  /**
   * Why {@code url} must not be used without {@link HttpSettings#allowPlainHttp()}, or empty if it
   * may: it is {@code https://}, or plain {@code http://} to this machine.
   */
  public static Optional<String> refusal(URI url) {
    if (!"http".equalsIgnoreCase(url.getScheme()) || isLoopback(url.getHost())) {
      return Optional.empty();
    }
    return Optional.of(
        url
            + " is plain http:// to "
            + url.getHost()
            + ", which is not this machine: the credentials sent to the key service and every"
            + " data key it returns would cross the network readable by anyone on the path. Use"
            + " https://, or set "
            + SETTING
            + ": true if that network path is protected by other means (a sidecar, a private"
            + " container network)");
  }

  /**
   * Throws the {@link #refusal} unless {@code settings} allow plain HTTP.
   *
   * @throws IllegalArgumentException carrying the refusal
   */
  public static void check(URI url, HttpSettings settings) {
    if (!settings.allowPlainHttp()) {
      refusal(url)
          .ifPresent(
              reason -> {
                throw new IllegalArgumentException(reason);
              });
    }
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    if ("localhost".equals(host.toLowerCase(Locale.ROOT))) {
      return true;
    }
    if (!IP_LITERAL.matcher(host).matches()) {
      return false;
    }
    try {
      // A literal address is parsed, never looked up.
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
