package dev.dropzone.store.s3;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 for an S3 endpoint on this host over plain HTTP, without hashing the payload.
 *
 * <p>Over plain HTTP the SDK always signs the payload: it streams every body through SHA-256 in
 * aws-chunked frames, ≈ 0.7 CPU-seconds per GiB uploaded, to protect the body on the wire. Over
 * HTTPS it sends {@code UNSIGNED-PAYLOAD} and lets TLS protect it. On the loopback interface there
 * is no wire to protect (whoever can change loopback traffic owns the host), and every object body
 * is AEAD ciphertext whose tags are checked on each read; so requests to a loopback endpoint are
 * signed exactly as over HTTPS. The SigV4 signature does not cover the scheme, so the signature is
 * the one the server computes. Endpoints on other hosts keep the SDK's behaviour.
 */
final class LoopbackPayloadSigning implements AuthScheme<AwsCredentialsIdentity> {

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  /** Whether requests to {@code endpoint} qualify: plain HTTP to a literal loopback host. */
  static boolean appliesTo(URI endpoint) {
    if (endpoint == null || !"http".equalsIgnoreCase(endpoint.getScheme())) {
      return false;
    }
    // A non-default port keeps the Host header the same whichever scheme the signer assumes.
    if (endpoint.getPort() == -1 || endpoint.getPort() == 80 || endpoint.getPort() == 443) {
      return false;
    }
    String host = endpoint.getHost();
    // Literal addresses only (and "localhost", which resolvers answer locally): resolving a name
    // here would trust DNS with the decision, and "127.example.com" is not a loopback address.
    return host != null
        && ("localhost".equalsIgnoreCase(host)
            || IPV4_LOOPBACK.matcher(host).matches()
            || "[::1]".equals(host));
  }

  @Override
  public String schemeId() {
    return AwsV4AuthScheme.SCHEME_ID;
  }

  @Override
  public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
    return providers.identityProvider(AwsCredentialsIdentity.class);
  }

  @Override
  public HttpSigner<AwsCredentialsIdentity> signer() {
    return new HttpSigner<>() {
      @Override
      public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest http = request.request();
        if (!"http".equals(http.protocol())) {
          return signer.sign(request);
        }
        SignedRequest signed =
            signer.sign(
                request.copy(
                    r ->
                        r.request(http.copy(h -> h.protocol("https")))
                            .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)));
        return signed.copy(s -> s.request(signed.request().copy(h -> h.protocol("http"))));
      }

      @Override
      public CompletableFuture<AsyncSignedRequest> signAsync(
          AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        // Dropzone's S3 clients are synchronous; an async caller gets the SDK's own signing.
        return signer.signAsync(request);
      }
    };
  }
}
