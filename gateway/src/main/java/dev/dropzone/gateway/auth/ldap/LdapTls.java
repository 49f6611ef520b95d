package dev.dropzone.gateway.auth.ldap;

/** How the connection to the directory is protected. */
public enum LdapTls {
  /** Plain LDAP: passwords cross the network in clear; only for a directory on the same host. */
  NONE(389),
  /** TLS from the first byte (LDAPS). */
  LDAPS(636),
  /** Plain connection upgraded with the StartTLS extended operation before any bind. */
  STARTTLS(389);

  private final int defaultPort;

  LdapTls(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  public int defaultPort() {
    return defaultPort;
  }
}
