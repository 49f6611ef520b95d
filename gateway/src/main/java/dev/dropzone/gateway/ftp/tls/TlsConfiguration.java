package dev.dropzone.gateway.ftp.tls;

import dev.dropzone.gateway.ftp.FtpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.apache.ftpserver.ssl.ClientAuth;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's TLS identity for control and data connections, TLS 1.3 and 1.2 only. Loaded from a
 * PKCS12 keystore or from PEM certificate and key files; PEM keys go into an in-memory keystore,
 * never to disk.
 */
public final class TlsConfiguration implements SslConfiguration {

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;

  private TlsConfiguration(SSLContext context) {
    this.context = context;
  }

  /**
   * @throws IOException with a message naming the file and what is wrong with it
   */
  public static TlsConfiguration load(FtpSettings.Tls tls) throws IOException {
    char[] password;
    KeyStore keyStore;
    if (tls.keystore() != null) {
      password = tls.keystorePassword() == null ? new char[0] : tls.keystorePassword().clone();
      keyStore = pkcs12(tls.keystore(), password);
    } else if (tls.certificatePem() != null && tls.privateKeyPem() != null) {
      password = randomPassword();
      keyStore = fromPem(tls.certificatePem(), tls.privateKeyPem(), password);
    } else {
      throw new IOException(
          "TLS needs either a PKCS12 keystore or both a PEM certificate and a PEM private key");
    }
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return new TlsConfiguration(context);
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS key material is unusable: " + e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  private static KeyStore pkcs12(Path file, char[] password) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return store;
    } catch (GeneralSecurityException e) {
      throw new IOException("Keystore " + file + " cannot be read: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IOException(
          "Keystore " + file + " cannot be read (wrong password or not PKCS12?): " + e.getMessage(),
          e);
    }
  }

  private static KeyStore fromPem(Path certificateFile, Path keyFile, char[] password)
      throws IOException {
    List<Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter certificates = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof X509CertificateHolder holder) {
          X509Certificate certificate = certificates.getCertificate(holder);
          chain.add(certificate);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "Certificate " + certificateFile + " is unusable: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IOException("Certificate file " + certificateFile + " holds no PEM certificate");
    }
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(Certificate[]::new));
      return store;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "Private key " + keyFile + " does not fit certificate " + certificateFile, e);
    }
  }

  private static PrivateKey privateKey(Path keyFile) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    }
    throw new IOException(
        "Key file " + keyFile + " holds no unencrypted PEM private key (PKCS#8 or traditional)");
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[24];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }

  @Override
  public SSLSocketFactory getSocketFactory() {
    return context.getSocketFactory();
  }

  @Override
  public SSLContext getSSLContext() {
    return context;
  }

  @Override
  public SSLContext getSSLContext(String protocol) {
    return context;
  }

  /** Null: the JDK's default suites for the enabled protocols (no legacy ones in TLS 1.2+). */
  @Override
  public String[] getEnabledCipherSuites() {
    return null;
  }

  @Override
  public String getEnabledProtocol() {
    return PROTOCOLS[1];
  }

  @Override
  public String[] getEnabledProtocols() {
    return PROTOCOLS.clone();
  }

  @Override
  public ClientAuth getClientAuth() {
    return ClientAuth.NONE;
  }
}
