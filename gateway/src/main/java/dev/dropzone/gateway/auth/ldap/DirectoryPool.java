package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStoreException;
import javax.net.ssl.TrustManager;

/** Opens the connection pool to the configured directory, with its TLS mode and timeouts. */
final class DirectoryPool {

  private DirectoryPool() {}

  /**
   * A pool bound as the service account (or anonymous). It opens even when the directory is down,
   * so the gateway starts and logins answer "unavailable" until the directory is back.
   *
   * @throws IllegalArgumentException when the TLS trust settings cannot be used
   */
  static LDAPConnectionPool open(LdapSettings settings) throws LDAPException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(Math.toIntExact(settings.connectTimeout().toMillis()));
    options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
    if (settings.verifyHostname() && settings.tls() != LdapTls.NONE) {
      // Subject alternative names only, as RFC 6125 asks; the CN is not a second chance.
      options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true, false));
    }
    String host = settings.host();
    int port = settings.effectivePort();
    SingleServerSet server;
    StartTLSPostConnectProcessor startTls = null;
    try {
      switch (settings.tls()) {
        case LDAPS ->
            server =
                new SingleServerSet(host, port, ssl(settings).createSSLSocketFactory(), options);
        case STARTTLS -> {
          server = new SingleServerSet(host, port, options);
          startTls = new StartTLSPostConnectProcessor(ssl(settings).createSSLContext());
        }
        default -> server = new SingleServerSet(host, port, options);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("LDAP TLS setup failed: " + e.getMessage(), e);
    }
    SimpleBindRequest serviceBind =
        settings.bindDn() == null
            ? null
            : new SimpleBindRequest(settings.bindDn(), settings.bindPassword());
    LDAPConnectionPool pool =
        new LDAPConnectionPool(
            server, serviceBind, 1, settings.maxConnections(), 1, startTls, false);
    pool.setConnectionPoolName("dropzone-ldap");
    // A directory restart leaves every pooled connection dead; retry once on a fresh one.
    pool.setRetryFailedOperationsDueToInvalidConnections(true);
    return pool;
  }

  private static SSLUtil ssl(LdapSettings settings) {
    TrustManager trust;
    if (settings.trustedCertificates() == null) {
      trust = JVMDefaultTrustManager.getInstance();
    } else {
      if (!Files.isReadable(settings.trustedCertificates())) {
        throw new IllegalArgumentException(
            "LDAP trusted certificates file "
                + settings.trustedCertificates()
                + " is missing or unreadable; point it at a PEM file with the directory's CA"
                + " certificate");
      }
      try {
        trust = new PEMFileTrustManager(settings.trustedCertificates().toFile());
      } catch (KeyStoreException e) {
        throw new IllegalArgumentException(
            "LDAP trusted certificates file "
                + settings.trustedCertificates()
                + " holds no usable PEM certificate: "
                + e.getMessage(),
            e);
      }
    }
    return new SSLUtil(trust);
  }
}
