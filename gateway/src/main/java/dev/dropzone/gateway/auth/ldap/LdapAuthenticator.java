package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.UserDirectory;
import dev.dropzone.gateway.logging.LogText;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users of an LDAP directory: a bind as the user proves the password; an optional group decides
 * access; mapped attributes give home and permissions. Searches, group checks and attribute reads
 * run as the service account when one is configured, otherwise as the user just bound.
 *
 * <p>The login name only ever enters the directory as an escaped DN value or filter assertion, so
 * it cannot widen a search or name another entry. A wrong password is "invalid credentials"; a
 * directory that cannot be reached or that refuses the service account is "unavailable".
 */
public final class LdapAuthenticator implements UserDirectory, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LdapAuthenticator.class);

  /**
   * Bind results that mean "these credentials do not log in": wrong password or unknown DN (49, and
   * 32 on servers that reveal it), lockout or expiry (19, 53), a bind kind the account may not use
   * (48). Anything else is the directory failing, not the user.
   */
  private static final Set<ResultCode> REFUSED =
      Set.of(
          ResultCode.INVALID_CREDENTIALS,
          ResultCode.NO_SUCH_OBJECT,
          ResultCode.CONSTRAINT_VIOLATION,
          ResultCode.UNWILLING_TO_PERFORM,
          ResultCode.INAPPROPRIATE_AUTHENTICATION);

  private final LdapSettings settings;
  private final DnTemplate template;
  private final Filter userFilter;
  private final String loginAttribute;
  private final AccountMapping mapping;
  private final String[] attributes;
  private final LDAPConnectionPool pool;
  private final String where;

  /**
   * Opens the connection pool. A directory that is down now does not stop the gateway from
   * starting: logins report "unavailable" until it is back.
   *
   * @throws IllegalArgumentException when the settings are unusable (TLS trust file, DN syntax)
   */
  public LdapAuthenticator(LdapSettings settings) {
    this.settings = settings;
    this.template =
        settings.userDnTemplate() == null ? null : DnTemplate.parse(settings.userDnTemplate());
    try {
      this.userFilter = Filter.create(settings.userSearchFilter());
    } catch (LDAPException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    this.loginAttribute = template == null ? settings.loginAttribute() : template.attribute();
    this.mapping = new AccountMapping(settings);
    this.attributes = mapping.attributes(loginAttribute);
    this.where =
        (settings.tls() == LdapTls.LDAPS ? "ldaps://" : "ldap://")
            + settings.host()
            + ":"
            + settings.effectivePort()
            + (settings.tls() == LdapTls.STARTTLS ? " (StartTLS)" : "");
    try {
      this.pool = DirectoryPool.open(settings);
    } catch (LDAPException e) {
      throw new IllegalArgumentException("LDAP " + where + ": " + e.getMessage(), e);
    }
    if (pool.getConnectionPoolStatistics().getNumFailedConnectionAttempts() > 0) {
      log.warn(
          "LDAP directory {} not reachable at startup; LDAP logins are refused as unavailable"
              + " until it is. Check host, port, TLS mode and the service account",
          where);
    } else {
      log.info("LDAP backend connected to {}", where);
    }
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    if (HomePath.under(settings.homePrefix(), username).isEmpty()) {
      // The name is not echoed: it may hold control characters meant for the log.
      log.info("LDAP login refused: the user name cannot be a home directory name");
      return Optional.empty();
    }
    // Servers treat a simple bind with an empty password as an anonymous bind that "succeeds".
    if (password.length == 0) {
      log.info("LDAP login for {} refused: empty password", LogText.of(username));
      return Optional.empty();
    }
    Entry found = null;
    DN dn;
    if (template != null) {
      dn = template.dnOf(username);
    } else {
      Optional<Entry> entry = find(username);
      if (entry.isEmpty()) {
        return Optional.empty();
      }
      found = entry.get();
      dn = parsedDn(found);
    }
    byte[] secret = utf8(password);
    LDAPConnection connection = checkout();
    boolean reusable = true;
    try {
      try {
        connection.bind(new SimpleBindRequest(dn, secret));
      } catch (LDAPException e) {
        if (REFUSED.contains(e.getResultCode())) {
          log.info(
              "LDAP login for {} refused by the directory: {}",
              LogText.of(username),
              e.getResultCode());
          return Optional.empty();
        }
        reusable = e.getResultCode().isConnectionUsable();
        throw unavailable("binding as " + dn, e);
      }
      LDAPInterface reader = settings.bindDn() == null ? connection : pool;
      return accept(username, found != null ? found : ownEntry(reader, dn), reader);
    } catch (LDAPException e) {
      reusable = e.getResultCode().isConnectionUsable();
      throw unavailable("reading the entry and groups of " + dn, e);
    } finally {
      Arrays.fill(secret, (byte) 0);
      if (reusable) {
        // Back to the service account (or anonymous) before anyone else uses the connection.
        pool.releaseAndReAuthenticateConnection(connection);
      } else {
        pool.releaseDefunctConnection(connection);
      }
    }
  }

  private Optional<Account> accept(String username, Entry entry, LDAPInterface reader)
      throws LDAPException, AuthenticationUnavailableException {
    Optional<String> spelled = canonicalName(entry, username);
    if (spelled.isEmpty()) {
      log.info(
          "LDAP login for {} refused: the directory matched {}, whose {} is not that name (its"
              + " matching ignores spaces the login throttle does not); log in with the name as"
              + " the directory spells it",
          LogText.of(username),
          entry.getDN(),
          loginAttribute);
      return Optional.empty();
    }
    String name = spelled.get();
    Optional<String> home = HomePath.under(settings.homePrefix(), name);
    if (home.isEmpty()) {
      log.info(
          "LDAP login refused: {} of {} cannot be a home directory name",
          loginAttribute,
          entry.getDN());
      return Optional.empty();
    }
    DN dn = entry.getParsedDN();
    if (settings.accessGroup() != null && !settings.accessGroup().contains(reader, dn)) {
      log.info(
          "LDAP login for {} refused: not a member of the access group {}",
          LogText.of(name),
          settings.accessGroup().filter());
      return Optional.empty();
    }
    boolean readOnly =
        settings.readOnlyGroup() != null && settings.readOnlyGroup().contains(reader, dn);
    Account account = mapping.account(name, home.get(), entry, readOnly);
    log.debug("LDAP login for {} accepted as {}", LogText.of(username), account);
    return Optional.of(account);
  }

  /**
   * The login name as the directory spells it: matching is case-insensitive, and "Alice" and
   * "alice" must not become two users with two homes. Empty when no value is the typed name, case
   * aside: a directory also matches " alice" to alice, and each such variant would have a failure
   * count of its own, multiplying the guesses a name may take before it is paused.
   */
  private Optional<String> canonicalName(Entry entry, String typed) {
    String[] values = entry.getAttributeValues(loginAttribute);
    if (values == null) {
      // The attribute may be hidden from the bound user; a DN template names it in the RDN.
      values = rdnValues(entry);
    }
    if (values == null) {
      return Optional.of(typed);
    }
    // Case is compared as the login throttle keys names, so no two names it counts apart log in
    // as one (equalsIgnoreCase would also take the long s for an s).
    String key = typed.toLowerCase(Locale.ROOT);
    for (String value : values) {
      if (value.toLowerCase(Locale.ROOT).equals(key)) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  private String[] rdnValues(Entry entry) {
    try {
      RDN rdn = entry.getParsedDN().getRDN();
      if (rdn == null) {
        return null;
      }
      String[] names = rdn.getAttributeNames();
      String[] rdnValues = rdn.getAttributeValues();
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(loginAttribute)) {
          return new String[] {rdnValues[i]};
        }
      }
      return null;
    } catch (LDAPException e) {
      return null;
    }
  }

  private Optional<Entry> find(String username) throws AuthenticationUnavailableException {
    SearchResult result = search(username);
    if (result.getEntryCount() == 0) {
      log.info("LDAP login for {} refused: no entry matches", LogText.of(username));
      return Optional.empty();
    }
    if (result.getEntryCount() > 1 || result.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
      log.warn(
          "LDAP login for {} refused: several entries match; make {} unique or narrow the user"
              + " search filter",
          LogText.of(username),
          loginAttribute);
      return Optional.empty();
    }
    return Optional.of(result.getSearchEntries().get(0));
  }

  /** The entries whose login attribute is {@code username} (at most two are asked for). */
  private SearchResult search(String username) throws AuthenticationUnavailableException {
    Filter filter =
        Filter.createANDFilter(userFilter, Filter.createEqualityFilter(loginAttribute, username));
    SearchRequest request =
        new SearchRequest(
            settings.userSearchBase(),
            SearchScope.SUB,
            DereferencePolicy.NEVER,
            2,
            0,
            false,
            filter,
            attributes);
    try {
      return pool.search(request);
    } catch (LDAPSearchException e) {
      if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
        throw unavailable("searching for " + LogText.of(username), e);
      }
      return e.getSearchResult();
    }
  }

  /**
   * True when the directory has an entry for {@code username}, in or out of the access group. With
   * a DN template the entry is read by DN, which needs read access (anonymous, or the service
   * account's); without it the directory cannot tell.
   */
  @Override
  public String backend() {
    return "ldap";
  }

  @Override
  public boolean hasUser(String username) throws AuthenticationUnavailableException {
    if (HomePath.under(settings.homePrefix(), username).isEmpty()) {
      return false;
    }
    if (template == null) {
      return search(username).getEntryCount() > 0;
    }
    DN dn = template.dnOf(username);
    try {
      return pool.getEntry(dn.toString(), "1.1") != null;
    } catch (LDAPException e) {
      if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
        return false;
      }
      throw unavailable(
          "reading "
              + dn
              + " to see whether the user exists (with several auth.backends the directory must"
              + " answer that: let the service account, auth.ldap.search.bindDn, read user entries)",
          e);
    }
  }

  private Entry ownEntry(LDAPInterface reader, DN dn)
      throws LDAPException, AuthenticationUnavailableException {
    Entry entry = reader.getEntry(dn.toString(), attributes);
    if (entry == null) {
      String message = "LDAP entry " + dn + " cannot be read after a successful bind";
      log.warn(
          "{}; let users read their own entry or configure a service account that may", message);
      throw new AuthenticationUnavailableException(message, null);
    }
    return entry;
  }

  private LDAPConnection checkout() throws AuthenticationUnavailableException {
    try {
      return pool.getConnection();
    } catch (LDAPException e) {
      throw unavailable("connecting", e);
    }
  }

  private AuthenticationUnavailableException unavailable(String doing, LDAPException e) {
    String message = "LDAP directory " + where + " failed while " + doing + ": " + e.getMessage();
    log.warn(
        "{}; check that the directory is reachable, its certificate is trusted and the service"
            + " account's DN and password are right",
        message);
    return new AuthenticationUnavailableException(message, e);
  }

  private static DN parsedDn(Entry entry) throws AuthenticationUnavailableException {
    try {
      return entry.getParsedDN();
    } catch (LDAPException e) {
      throw new AuthenticationUnavailableException(
          "LDAP directory returned an entry with an invalid DN: " + entry.getDN(), e);
    }
  }

  private static byte[] utf8(char[] password) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    // The encoder's buffer held the password too.
    Arrays.fill(encoded.array(), (byte) 0);
    return bytes;
  }

  /** Closes the pooled connections. */
  @Override
  public void close() {
    pool.close();
  }
}
