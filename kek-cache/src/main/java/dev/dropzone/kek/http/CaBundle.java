package dev.dropzone.kek.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** A PEM file of certificate authorities, as trust managers for clients that are not Vert.x. */
public final class CaBundle {

  private CaBundle() {}

  /**
   * Trust managers that accept exactly the authorities in {@code pem}.
   *
   * @throws IOException if the file cannot be read or holds no certificate
   */
  public static TrustManager[] trustManagers(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, certificate);
      }
      if (index == 0) {
        throw new IOException("CA bundle " + pem + " holds no PEM certificate");
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "CA bundle " + pem + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }
}
