package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.Permission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How the LDAP backend finds and checks users. Build with {@link #builder(String)}; every field not
 * set keeps the default given here.
 *
 * <p>Users are found in one of two ways: a DN template ({@code userDnTemplate}, bind directly as
 * the user), or a search ({@code userSearchBase} + {@code userSearchFilter} + {@code
 * loginAttribute}, optionally as the service account {@code bindDn}) followed by a bind as the
 * entry found. Exactly one of {@code userDnTemplate} and {@code userSearchBase} is set.
 *
 * @param host directory host name or address
 * @param port directory port; 0 (default) means 389 for NONE and STARTTLS, 636 for LDAPS
 * @param tls NONE, LDAPS or STARTTLS; default STARTTLS, so passwords never cross the network in
 *     clear unless asked for
 * @param trustedCertificates PEM file with the CA certificates the directory's certificate must
 *     chain to; null (default) uses the JDK's trust store
 * @param verifyHostname check that the directory's certificate names {@code host} in its subject
 *     alternative names; default true (the SDK accepts any certificate for a loopback address)
 * @param connectTimeout how long to wait for a TCP (and TLS) connection; default 5 s
 * @param responseTimeout how long to wait for any one LDAP operation; default 10 s
 * @param maxConnections pooled connections kept open to the directory; default 10
 * @param userDnTemplate e.g. {@code uid={0},ou=people,dc=example,dc=com}; {0} is the login name,
 *     escaped as a DN value; null (default) means search
 * @param userSearchBase where to search for users, e.g. {@code ou=people,dc=example,dc=com}
 * @param userSearchFilter what a user entry looks like; combined with {@code loginAttribute=name};
 *     default {@code (objectClass=person)}
 * @param loginAttribute the attribute holding the login name when searching; default {@code uid}
 * @param bindDn service account used for searches, group checks and attribute reads; null (default)
 *     searches anonymously and reads as the user
 * @param bindPassword the service account's password; set exactly when {@code bindDn} is
 * @param accessGroup only members of this group may log in; null (default) admits every user
 * @param readOnlyGroup members of this group get only LIST and READ; null (default): no such group
 * @param homeAttribute attribute holding the user's home (a store path such as {@code teams/blue});
 *     null (default) or absent on the entry: {@code <homePrefix>/<name>}
 * @param homePrefix parent of default homes; default {@code users}
 * @param permissionsAttribute multi-valued attribute naming the user's permissions ({@code list},
 *     {@code read}, {@code write}, {@code delete}, {@code mkdir}, {@code rename}); null (default)
 *     or absent on the entry: {@code defaultPermissions}
 * @param defaultPermissions permissions of users without the attribute; default all
 */
public record LdapSettings(
    String host,
    int port,
    LdapTls tls,
    Path trustedCertificates,
    boolean verifyHostname,
    Duration connectTimeout,
    Duration responseTimeout,
    int maxConnections,
    String userDnTemplate,
    String userSearchBase,
    String userSearchFilter,
    String loginAttribute,
    String bindDn,
    String bindPassword,
    LdapGroup accessGroup,
    LdapGroup readOnlyGroup,
    String homeAttribute,
    String homePrefix,
    String permissionsAttribute,
    Set<Permission> defaultPermissions) {

  public LdapSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("LDAP port " + port + " is out of range");
    }
    requirePositive("connect timeout", connectTimeout);
    requirePositive("response timeout", responseTimeout);
    if (maxConnections < 1) {
      throw new IllegalArgumentException("LDAP max connections must be at least 1");
    }
    if ((userDnTemplate == null) == (userSearchBase == null)) {
      throw new IllegalArgumentException(
          "LDAP: set either a user DN template or a user search base, not both or neither");
    }
    if (userDnTemplate != null) {
      DnTemplate.parse(userDnTemplate);
    } else {
      requireDn("user search base", userSearchBase);
    }
    Objects.requireNonNull(userSearchFilter, "userSearchFilter");
    try {
      Filter.create(userSearchFilter);
    } catch (LDAPException e) {
      throw new IllegalArgumentException(
          "LDAP user search filter '" + userSearchFilter + "': " + e.getMessage(), e);
    }
    Objects.requireNonNull(loginAttribute, "loginAttribute");
    if ((bindDn == null) != (bindPassword == null)) {
      throw new IllegalArgumentException(
          "LDAP service account: set both its DN and its password, or neither");
    }
    if (bindDn != null) {
      requireDn("service account DN", bindDn);
    }
    Objects.requireNonNull(homePrefix, "homePrefix");
    if (!homePrefix.isEmpty()) {
      try {
        HomePath.parse(homePrefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("LDAP home prefix: " + e.getMessage(), e);
      }
    }
    defaultPermissions = Set.copyOf(defaultPermissions);
  }

  private static void requirePositive(String what, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("LDAP " + what + " must be positive, got " + value);
    }
  }

  private static void requireDn(String what, String value) {
    try {
      new DN(value);
    } catch (LDAPException e) {
      throw new IllegalArgumentException(
          "LDAP " + what + " '" + value + "' is not a valid DN: " + e.getMessage(), e);
    }
  }

  /** The port to connect to, with 0 resolved to the TLS mode's default. */
  public int effectivePort() {
    return port == 0 ? tls.defaultPort() : port;
  }

  /** Never shows the service account's password. */
  @Override
  public String toString() {
    return "LdapSettings[host="
        + host
        + ", port="
        + effectivePort()
        + ", tls="
        + tls
        + ", userDnTemplate="
        + userDnTemplate
        + ", userSearchBase="
        + userSearchBase
        + ", bindDn="
        + bindDn
        + ", bindPassword="
        + (bindPassword == null ? "null" : "(hidden)")
        + ", accessGroup="
        + accessGroup
        + ", readOnlyGroup="
        + readOnlyGroup
        + "]";
  }

  public static Builder builder(String host) {
    return new Builder(host);
  }

  /** Collects settings field by field; unset fields keep their defaults. */
  public static final class Builder {
    private final String host;
    private int port;
    private LdapTls tls = LdapTls.STARTTLS;
    private Path trustedCertificates;
    private boolean verifyHostname = true;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(10);
    private int maxConnections = 10;
    private String userDnTemplate;
    private String userSearchBase;
    private String userSearchFilter = "(objectClass=person)";
    private String loginAttribute = "uid";
    private String bindDn;
    private String bindPassword;
    private LdapGroup accessGroup;
    private LdapGroup readOnlyGroup;
    private String homeAttribute;
    private String homePrefix = "users";
    private String permissionsAttribute;
    private Set<Permission> defaultPermissions = EnumSet.allOf(Permission.class);

    private Builder(String host) {
      this.host = host;
    }

    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder tls(LdapTls value) {
      tls = value;
      return this;
    }

    public Builder trustedCertificates(Path pemFile) {
      trustedCertificates = pemFile;
      return this;
    }

    public Builder verifyHostname(boolean value) {
      verifyHostname = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      connectTimeout = value;
      return this;
    }

    public Builder responseTimeout(Duration value) {
      responseTimeout = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    /** Bind directly as the DN this template gives for the login name. */
    public Builder userDnTemplate(String template) {
      userDnTemplate = template;
      return this;
    }

    /** Search for the user under {@code base}, then bind as the entry found. */
    public Builder userSearch(String base, String filter, String attribute) {
      userSearchBase = base;
      userSearchFilter = filter;
      loginAttribute = attribute;
      return this;
    }

    public Builder serviceAccount(String dn, String password) {
      bindDn = dn;
      bindPassword = password;
      return this;
    }

    public Builder accessGroup(LdapGroup group) {
      accessGroup = group;
      return this;
    }

    public Builder readOnlyGroup(LdapGroup group) {
      readOnlyGroup = group;
      return this;
    }

    public Builder homeAttribute(String attribute) {
      homeAttribute = attribute;
      return this;
    }

    public Builder homePrefix(String prefix) {
      homePrefix = prefix;
      return this;
    }

    public Builder permissionsAttribute(String attribute) {
      permissionsAttribute = attribute;
      return this;
    }

    public Builder defaultPermissions(Set<Permission> permissions) {
      defaultPermissions = permissions;
      return this;
    }

    public LdapSettings build() {
      return new LdapSettings(
          host,
          port,
          tls,
          trustedCertificates,
          verifyHostname,
          connectTimeout,
          responseTimeout,
          maxConnections,
          userDnTemplate,
          userSearchBase,
          userSearchFilter,
          loginAttribute,
          bindDn,
          bindPassword,
          accessGroup,
          readOnlyGroup,
          homeAttribute,
          homePrefix,
          permissionsAttribute,
          defaultPermissions);
    }
  }
}
