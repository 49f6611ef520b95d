package dev.dropzone.gateway.embedded;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded gateway's own TLS certificate: self-signed (ECDSA P-256), made at the first start
 * for localhost, 127.0.0.1, ::1 and the bind address, kept in {@code <data-dir>/tls} (the private
 * key owner-only) and reused after, so clients that pinned or trusted it keep working. Replaced
 * only once it has expired.
 *
 * @param certificate the PEM certificate, which clients may trust ({@code curl --cacert})
 * @param privateKey the PEM private key (PKCS#8), mode 0600
 * @param fingerprint the certificate's SHA-256 fingerprint, {@code AB:CD:…} as openssl prints it
 */
public record EmbeddedCertificate(Path certificate, Path privateKey, String fingerprint) {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCertificate.class);
  private static final Duration VALIDITY = Duration.ofDays(3650);

  /** Loads the certificate in {@code dir}, making a new one if there is none or it expired. */
  public static EmbeddedCertificate loadOrCreate(Path dir, String bindAddress) throws IOException {
    Path certificate = dir.resolve("certificate.pem");
    Path privateKey = dir.resolve("private-key.pem");
    if (Files.exists(certificate) && Files.exists(privateKey)) {
      X509Certificate existing = read(certificate);
      if (existing.getNotAfter().toInstant().isAfter(Instant.now())) {
        return new EmbeddedCertificate(certificate, privateKey, fingerprint(existing));
      }
      LOG.warn("The embedded TLS certificate {} has expired; making a new one", certificate);
    }
    Files.createDirectories(dir);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      KeyPair keys = generator.generateKeyPair();
      X509Certificate made = selfSigned(keys, bindAddress);
      writePrivate(privateKey, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
      Files.writeString(certificate, pem(made), StandardCharsets.US_ASCII);
      return new EmbeddedCertificate(certificate, privateKey, fingerprint(made));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot make the embedded TLS certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate selfSigned(KeyPair keys, String bindAddress)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    X500Name name = new X500Name("CN=Dropzone embedded gateway");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            name,
            keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    builder.addExtension(Extension.subjectAlternativeName, false, names(bindAddress));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  private static GeneralNames names(String bindAddress) {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    if (isSpecificAddress(bindAddress)) {
      names.add(new GeneralName(GeneralName.iPAddress, bindAddress));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  /** A literal address other than the wildcard and loopback ones already named. */
  private static boolean isSpecificAddress(String address) {
    if (!address.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      InetAddress parsed = InetAddress.getByName(address);
      return !parsed.isAnyLocalAddress() && !parsed.isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static X509Certificate read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      if (parser.readObject() instanceof X509CertificateHolder holder) {
        return new JcaX509CertificateConverter().getCertificate(holder);
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " is not a usable certificate: " + e.getMessage(), e);
    }
    throw new IOException(
        file + " holds no PEM certificate; delete it and its private key to make new ones");
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }

  /** Written into a file that is owner-only from its creation. */
  private static void writePrivate(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    try (Writer writer =
        Files.newBufferedWriter(
            file, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING)) {
      writer.write(content);
    }
  }

  private static String fingerprint(X509Certificate certificate) throws IOException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot fingerprint the certificate: " + e.getMessage(), e);
    }
  }
}
