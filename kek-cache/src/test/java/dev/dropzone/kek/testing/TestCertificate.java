package dev.dropzone.kek.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate made fresh for a test, in every form the tests' servers and
 * clients read: in memory (Vert.x options, an {@link SSLContext}, a trust manager), or written out
 * as PEM files or a PKCS#12 key store. Shared by every module's tests so that TLS setups agree.
 */
public final class TestCertificate {

  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCertificate(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /** Names 127.0.0.1 and localhost, the addresses every test server binds. */
  public static TestCertificate forLoopback(String commonName) throws GeneralSecurityException {
    return issue(
        commonName,
        "EC",
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost"));
  }

  /**
   * Names only {@code hostName}: a certificate a client may trust yet must refuse for 127.0.0.1 and
   * localhost, to prove that the host name is checked.
   */
  public static TestCertificate forOtherHost(String commonName, String hostName)
      throws GeneralSecurityException {
    return issue(commonName, "EC", new GeneralName(GeneralName.dNSName, hostName));
  }

  /**
   * Like {@link #forLoopback} with an RSA key: the kind of certificate with which a server could
   * also negotiate the old RSA key exchange, so a test can show that it does not.
   */
  public static TestCertificate forLoopbackRsa(String commonName) throws GeneralSecurityException {
    return issue(
        commonName,
        "RSA",
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost"));
  }

  private static TestCertificate issue(
      String commonName, String algorithm, GeneralName... subjectAltNames)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(1, ChronoUnit.HOURS)),
            Date.from(now.plus(1, ChronoUnit.DAYS)),
            name,
            keys.getPublic());
    try {
      builder.addExtension(
          Extension.subjectAlternativeName, false, new GeneralNames(subjectAltNames));
      return new TestCertificate(
          keys,
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder(
                              algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA")
                          .build(keys.getPrivate()))));
    } catch (IOException | OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** What a Vert.x server presents. */
  public KeyCertOptions serverOptions() throws IOException {
    return new PemKeyCertOptions()
        .addCertValue(Buffer.buffer(pem(certificate)))
        .addKeyValue(Buffer.buffer(pem(new JcaPKCS8Generator(keys.getPrivate(), null))));
  }

  /** Vert.x trust options that accept exactly this certificate, e.g. as a client authority. */
  public TrustOptions trustOptions() throws IOException {
    return new PemTrustOptions().addCertValue(Buffer.buffer(pem(certificate)));
  }

  /** What a JSSE server presents. */
  public SSLContext serverContext() throws GeneralSecurityException, IOException {
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keyStore(IN_MEMORY_PASSWORD), IN_MEMORY_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }

  /** A trust manager that trusts exactly this certificate. */
  public TrustManager trustManager() throws GeneralSecurityException, IOException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", certificate);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    return factory.getTrustManagers()[0];
  }

  /** Writes the certificate (never the key) to {@code file}, as a client's CA bundle. */
  public Path writeCertificatePem(Path file) throws IOException {
    return Files.writeString(file, pem(certificate));
  }

  /** Writes the private key as a PKCS#8 "PRIVATE KEY" PEM, for servers configured by files. */
  public Path writePrivateKeyPem(Path file) throws IOException {
    return Files.writeString(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
  }

  /** Writes key and certificate as a PKCS#12 key store, both protected by {@code password}. */
  public Path writePkcs12(Path file, char[] password) throws GeneralSecurityException, IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      keyStore(password).store(out, password);
    }
    return file;
  }

  private KeyStore keyStore(char[] password) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", keys.getPrivate(), password, new Certificate[] {certificate});
    return store;
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
