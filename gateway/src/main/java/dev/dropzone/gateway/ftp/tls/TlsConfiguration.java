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
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.apache.ftpserver.ssl.ClientAuth;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.mina.core.session.IoSession;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's TLS: its identity (from a PKCS12 keystore, or PEM certificate and key files kept in
 * an in-memory keystore, never on disk), the protocols ({@code ftp.tls.protocols}, TLS 1.2 and 1.3
 * only) and forward-secret AEAD cipher suites only. Each control connection gets a TLS context of
 * its own ({@link ConnectionTls}) that its data connections share.
 *
 * <p>Client-initiated renegotiation is refused: it lets a client make the server do a full
 * handshake's work again and again on one connection, and TLS 1.3 has none anyway. The JDK reads
 * that switch once, when its TLS server code first runs, so this class sets it before the gateway
 * accepts any TLS connection.
 */
public final class TlsConfiguration implements SslConfiguration {

  static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  static {
    if (System.getProperty(REJECT_RENEGOTIATION) == null) {
      System.setProperty(REJECT_RENEGOTIATION, "true");
    }
  }

  /**
   * Forward-secret AEAD suites: TLS 1.3's, and ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2.
   * No RSA key exchange (no forward secrecy), no CBC, no SHA-1 MACs.
   */
  static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_256_GCM_SHA384",
          "TLS_AES_128_GCM_SHA256",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final KeyManager[] keyManagers;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final boolean requireSessionReuse;
  private final SecureRandom random = new SecureRandom();

  private TlsConfiguration(
      KeyManager[] keyManagers,
      String[] protocols,
      String[] cipherSuites,
      boolean requireSessionReuse) {
    this.keyManagers = keyManagers;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
    this.requireSessionReuse = requireSessionReuse;
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
      String[] protocols =
          (tls.protocols() == null || tls.protocols().isEmpty()
                  ? FtpSettings.DEFAULT_PROTOCOLS
                  : tls.protocols())
              .toArray(String[]::new);
      String[] suites = supported(CIPHER_SUITES);
      return new TlsConfiguration(
          keys.getKeyManagers(), protocols, suites, tls.requireSessionReuse());
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

  /** The suites of {@code wanted} this JDK has, in that order. */
  private static String[] supported(List<String> wanted) throws GeneralSecurityException {
    Set<String> available =
        Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    String[] suites = wanted.stream().filter(available::contains).toArray(String[]::new);
    if (suites.length == 0) {
      throw new GeneralSecurityException(
          "this Java runtime supports none of the cipher suites " + wanted);
    }
    return suites;
  }

  /**
   * Implicit FTPS: TLS from the connection's first byte, with a TLS context of its own (MINA's
   * implicit listener would share one context between all connections).
   */
  public void startImplicitTls(IoSession session) {
    ConnectionTls connection = newConnection();
    session.setAttribute(ConnectionTls.ATTRIBUTE, connection);
    session.getFilterChain().addFirst("sslFilter", connection.controlFilter(null));
  }

  /** A TLS context for one control connection and its data connections. */
  ConnectionTls newConnection() {
    return new ConnectionTls(newContext(), this);
  }

  private SSLContext newContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      // No trust managers: clients are not asked for certificates, and an empty array spares
      // loading the JDK's CA store for every connection.
      context.init(keyManagers, new TrustManager[0], random);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS context could not be created: " + e.getMessage(), e);
    }
  }

  /** Whether protected data connections must resume their control connection's TLS session. */
  public boolean requireSessionReuse() {
    return requireSessionReuse;
  }

  String[] protocols() {
    return protocols.clone();
  }

  String[] cipherSuites() {
    return cipherSuites.clone();
  }

  /** MINA's PROT checks that TLS is configured; Dropzone's own AUTH makes the real contexts. */
  @Override
  public SSLSocketFactory getSocketFactory() {
    return newContext().getSocketFactory();
  }

  @Override
  public SSLContext getSSLContext() {
    return newContext();
  }

  @Override
  public SSLContext getSSLContext(String protocol) {
    return newContext();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return cipherSuites();
  }

  @Override
  public String getEnabledProtocol() {
    return protocols[0];
  }

  @Override
  public String[] getEnabledProtocols() {
    return protocols();
  }

  @Override
  public ClientAuth getClientAuth() {
    return ClientAuth.NONE;
  }
}
