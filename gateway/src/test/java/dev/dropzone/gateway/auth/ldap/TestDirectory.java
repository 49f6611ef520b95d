package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * UnboundID's in-memory directory, a real LDAP server, with {@code ou=people}, {@code ou=groups}
 * and a service account under {@code dc=example,dc=com}. Every person's password is {@link
 * #password(String)}.
 */
public final class TestDirectory implements AutoCloseable {

  public static final String BASE = "dc=example,dc=com";
  public static final String PEOPLE = "ou=people," + BASE;
  public static final String GROUPS = "ou=groups," + BASE;
  public static final String TEMPLATE = "uid={0}," + PEOPLE;
  public static final String SERVICE_DN = "cn=svc," + BASE;
  public static final String SERVICE_PASSWORD = "svc-secret";

  private final InMemoryDirectoryServer server;

  private TestDirectory(InMemoryDirectoryServer server) {
    this.server = server;
  }

  public static InetAddress loopback() throws UnknownHostException {
    return InetAddress.getByName("127.0.0.1");
  }

  /** A directory with a plain listener named {@code ldap} plus the given ones; not yet started. */
  public static TestDirectory create(InMemoryListenerConfig... listeners)
      throws LDAPException, LDIFException, UnknownHostException {
    return create(0, listeners);
  }

  /**
   * As {@link #create(InMemoryListenerConfig...)}, with the server's own limit on entries per
   * search (0 = none), as directories impose on their clients.
   */
  public static TestDirectory create(int maxSizeLimit, InMemoryListenerConfig... listeners)
      throws LDAPException, LDIFException, UnknownHostException {
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
    config.setMaxSizeLimit(maxSizeLimit);
    // The home and permission attributes are Dropzone's own, not in the standard schema.
    config.setSchema(null);
    List<InMemoryListenerConfig> all = new ArrayList<>();
    all.add(InMemoryListenerConfig.createLDAPConfig("ldap", loopback(), 0, null));
    all.addAll(List.of(listeners));
    config.setListenerConfigs(all);
    InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
    server.add("dn: " + BASE, "objectClass: domain", "dc: example");
    server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
    server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
    server.add(
        "dn: " + SERVICE_DN,
        "objectClass: person",
        "cn: svc",
        "sn: svc",
        "userPassword: " + SERVICE_PASSWORD);
    return new TestDirectory(server);
  }

  public static String password(String uid) {
    return uid + "-pw!";
  }

  /** Adds {@code uid=<uid>,ou=people} with the given extra attribute lines. */
  public TestDirectory person(String uid, String... extra) throws LDAPException, LDIFException {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "dn: uid=" + uid + "," + PEOPLE,
                "objectClass: inetOrgPerson",
                "uid: " + uid,
                "cn: " + uid,
                "sn: " + uid,
                "userPassword: " + password(uid)));
    lines.addAll(List.of(extra));
    server.add(lines.toArray(String[]::new));
    return this;
  }

  /** Adds the groupOfNames {@code cn=<cn>,ou=groups} with these people as members. */
  public TestDirectory group(String cn, String... uids) throws LDAPException, LDIFException {
    List<String> lines =
        new ArrayList<>(
            List.of("dn: cn=" + cn + "," + GROUPS, "objectClass: groupOfNames", "cn: " + cn));
    for (String uid : uids) {
      lines.add("member: uid=" + uid + "," + PEOPLE);
    }
    server.add(lines.toArray(String[]::new));
    return this;
  }

  public TestDirectory start() throws LDAPException {
    server.startListening();
    return this;
  }

  public int port(String listener) {
    return server.getListenPort(listener);
  }

  /** Settings for plain LDAP to this directory, binding through {@link #TEMPLATE}. */
  public LdapSettings.Builder plain() {
    return LdapSettings.builder("127.0.0.1")
        .port(port("ldap"))
        .tls(LdapTls.NONE)
        .userDnTemplate(TEMPLATE);
  }

  /** Its threads are not daemons: without this the test JVM never exits. */
  @Override
  public void close() {
    server.shutDown(true);
  }
}
