package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.Entry;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a user's directory entry into an account: home and permissions from mapped attributes. */
final class AccountMapping {

  private static final Logger log = LoggerFactory.getLogger(AccountMapping.class);
  private static final Set<Permission> READ_ONLY = EnumSet.of(Permission.LIST, Permission.READ);

  private final LdapSettings settings;

  AccountMapping(LdapSettings settings) {
    this.settings = settings;
  }

  /** The attributes to fetch with a user entry. */
  String[] attributes(String loginAttribute) {
    return Stream.of(loginAttribute, settings.homeAttribute(), settings.permissionsAttribute())
        .filter(Objects::nonNull)
        .toArray(String[]::new);
  }

  /**
   * @param name the user's canonical login name
   * @throws AuthenticationUnavailableException when the entry's home attribute is not a usable
   *     path: a directory error the user cannot fix, so it must not count as a failed login
   */
  Account account(String name, String home, Entry entry, boolean readOnly)
      throws AuthenticationUnavailableException {
    String mappedHome = home;
    String homeValue =
        settings.homeAttribute() == null ? null : entry.getAttributeValue(settings.homeAttribute());
    if (homeValue != null) {
      try {
        mappedHome = HomePath.parse(homeValue);
      } catch (IllegalArgumentException e) {
        String message =
            "LDAP entry "
                + entry.getDN()
                + " has an unusable "
                + settings.homeAttribute()
                + ": "
                + e.getMessage();
        log.warn("{}; fix the attribute in the directory", message);
        throw new AuthenticationUnavailableException(message, e);
      }
    }
    Set<Permission> permissions = permissions(entry);
    if (readOnly) {
      permissions.retainAll(READ_ONLY);
    }
    return new Account(name, mappedHome, permissions);
  }

  private Set<Permission> permissions(Entry entry) {
    String attribute = settings.permissionsAttribute();
    String[] values = attribute == null ? null : entry.getAttributeValues(attribute);
    if (values == null) {
      return settings.defaultPermissions().isEmpty()
          ? EnumSet.noneOf(Permission.class)
          : EnumSet.copyOf(settings.defaultPermissions());
    }
    Set<Permission> granted = EnumSet.noneOf(Permission.class);
    for (String value : values) {
      try {
        granted.add(Permission.valueOf(value.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        // Granting less than meant is the safe side of a typo; the log says what to fix.
        log.warn(
            "LDAP entry {}: unknown permission '{}' in {} ignored; known: {}",
            entry.getDN(),
            value,
            attribute,
            EnumSet.allOf(Permission.class));
      }
    }
    return granted;
  }
}
