package dev.dropzone.kek.http;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A TLS client certificate a key-service client presents (mutual TLS), as PEM files.
 *
 * @param certificateChain PEM file with the client certificate, then any intermediate CAs
 * @param privateKey PEM file with its private key (PKCS#8 {@code PRIVATE KEY}, or PKCS#1 {@code RSA
 *     PRIVATE KEY}); it stays on local disk, readable by the gateway's user only
 */
public record ClientCertificate(Path certificateChain, Path privateKey) {

  public ClientCertificate {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }
}
