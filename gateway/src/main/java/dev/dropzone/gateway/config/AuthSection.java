package dev.dropzone.gateway.config;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.auth.ldap.LdapGroup;
import dev.dropzone.gateway.auth.ldap.LdapSettings;
import dev.dropzone.gateway.auth.ldap.LdapTls;
import dev.dropzone.gateway.auth.pam.PamSettings;
import dev.dropzone.gateway.config.AuthSettings.Backend;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Validates the {@code auth} section and turns it into {@link AuthSettings}. */
final class AuthSection {

  private AuthSection() {}

  static AuthSettings settings(DropzoneConfig.Auth auth, Path baseDir, Problems problems) {
    List<Backend> backends = backends(auth.backends(), problems);
    PamSettings pam = backends.contains(Backend.PAM) ? pam(auth.pam(), problems) : null;
    LdapSettings ldap =
        backends.contains(Backend.LDAP) ? ldap(auth.ldap(), baseDir, problems) : null;
    Duration ttl = auth.credentialCacheTtl();
    problems.check(
        ttl != null && !ttl.isNegative(),
        "auth.credentialCacheTtl",
        ttl == null ? "" : Durations.format(ttl),
        "must be 0s (off) or a positive duration");
    return new AuthSettings(backends, pam, ldap, ttl == null ? Duration.ZERO : ttl);
  }

  private static List<Backend> backends(List<String> names, Problems problems) {
    List<Backend> backends = new ArrayList<>();
    for (String name : commaSeparated(names)) {
      try {
        Backend backend = Backend.valueOf(name.toUpperCase(Locale.ROOT));
        problems.check(
            !backends.contains(backend), "auth.backends", name, "is listed more than once");
        if (!backends.contains(backend)) {
          backends.add(backend);
        }
      } catch (IllegalArgumentException e) {
        problems.add("auth.backends", "'" + name + "' is not a backend; use file, pam or ldap");
      }
    }
    if (backends.isEmpty() && commaSeparated(names).isEmpty()) {
      problems.add("auth.backends", "must list at least one of file, pam, ldap");
    }
    return backends;
  }

  private static PamSettings pam(DropzoneConfig.Pam c, Problems problems) {
    boolean ok =
        problems.check(
                !blank(c.service()) && !c.service().contains("/") && !c.service().startsWith("."),
                "auth.pam.service",
                c.service(),
                "must be a plain file name in /etc/pam.d (install the shipped service file there)")
            & problems.check(
                c.minUid() >= 1,
                "auth.pam.minUid",
                c.minUid(),
                "must be ≥ 1 (0 is root, which must never log in over FTP)");
    if (!ok) {
      return null;
    }
    try {
      return new PamSettings(
          c.service(),
          c.minUid(),
          Set.copyOf(commaSeparated(c.refusedShells())),
          c.homePrefix() == null ? "" : c.homePrefix(),
          EnumSet.allOf(Permission.class),
          PamSettings.DEFAULT_SERVICE_DIRECTORIES);
    } catch (IllegalArgumentException e) {
      problems.add("auth.pam.homePrefix", "'" + c.homePrefix() + "' " + e.getMessage());
      return null;
    }
  }

  private static LdapSettings ldap(DropzoneConfig.Ldap c, Path baseDir, Problems problems) {
    if (blank(c.url())) {
      problems.add(
          "auth.ldap.url", "is required with the ldap backend, e.g. ldaps://ldap.example.com");
      return null;
    }
    URI url;
    try {
      url = new URI(c.url());
    } catch (URISyntaxException e) {
      problems.add("auth.ldap.url", "'" + c.url() + "' is not a URL: " + e.getReason());
      return null;
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!problems.check(
        ("ldap".equals(scheme) || "ldaps".equals(scheme)) && url.getHost() != null,
        "auth.ldap.url",
        c.url(),
        "is not an LDAP URL like ldaps://ldap.example.com or ldap://ldap.example.com:389")) {
      return null;
    }
    LdapTls tls = tls(c.tls(), scheme, problems);
    LdapSettings.Builder b =
        LdapSettings.builder(url.getHost())
            .port(Math.max(url.getPort(), 0))
            .tls(tls == null ? LdapTls.STARTTLS : tls)
            .verifyHostname(c.verifyHostname())
            .connectTimeout(c.connectTimeout())
            .responseTimeout(c.responseTimeout())
            .maxConnections(c.poolSize())
            .homePrefix(c.homePrefix() == null ? "" : c.homePrefix())
            .homeAttribute(blankToNull(c.attributes().home()))
            .permissionsAttribute(blankToNull(c.attributes().permissions()));
    if (!blank(c.caBundle())) {
      Path bundle = baseDir.resolve(c.caBundle());
      problems.check(
          Files.isReadable(bundle),
          "auth.ldap.caBundle",
          bundle,
          "does not exist or is not readable");
      b.trustedCertificates(bundle);
    }
    DropzoneConfig.LdapSearch search = c.search();
    boolean template = !blank(c.userDnTemplate());
    boolean searching = !blank(search.baseDn());
    if (template == searching) {
      problems.add(
          "auth.ldap.userDnTemplate",
          "set either auth.ldap.userDnTemplate (e.g. uid={0},ou=people,dc=example,dc=com) or"
              + " auth.ldap.search.baseDn, not both or neither");
      return null;
    }
    if (template) {
      b.userDnTemplate(c.userDnTemplate());
    } else {
      b.userSearch(search.baseDn(), search.filter(), search.loginAttribute());
    }
    boolean hasBindDn = !blank(search.bindDn());
    boolean hasBindPassword = search.bindPassword() != null && !search.bindPassword().isEmpty();
    if (hasBindDn != hasBindPassword) {
      problems.add(
          hasBindDn ? "auth.ldap.search.bindPassword" : "auth.ldap.search.bindDn",
          "is missing: the service account needs both auth.ldap.search.bindDn and"
              + " auth.ldap.search.bindPassword, or neither (anonymous search)");
      return null;
    }
    if (hasBindDn) {
      b.serviceAccount(search.bindDn(), search.bindPassword().reveal());
    }
    DropzoneConfig.LdapGroup group = c.group();
    boolean needsGroupBase = !blank(group.filter()) || !blank(c.readOnlyGroup());
    if (needsGroupBase && blank(group.baseDn())) {
      problems.add(
          "auth.ldap.group.baseDn",
          "is required with auth.ldap.group.filter or auth.ldap.readOnlyGroup: it says where"
              + " groups are searched");
      return null;
    }
    try {
      if (!blank(group.filter())) {
        b.accessGroup(new LdapGroup(group.baseDn(), group.filter(), group.memberAttribute()));
      }
      if (!blank(c.readOnlyGroup())) {
        b.readOnlyGroup(new LdapGroup(group.baseDn(), c.readOnlyGroup(), group.memberAttribute()));
      }
      return tls == null ? null : b.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      problems.add("auth.ldap", e.getMessage());
      return null;
    }
  }

  /** No {@code tls} key: ldaps:// means LDAPS, ldap:// means StartTLS (never clear text). */
  private static LdapTls tls(String value, String scheme, Problems problems) {
    if (blank(value)) {
      return "ldaps".equals(scheme) ? LdapTls.LDAPS : LdapTls.STARTTLS;
    }
    LdapTls tls;
    try {
      tls = LdapTls.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add("auth.ldap.tls", "'" + value + "' is not one of none, ldaps, starttls");
      return null;
    }
    boolean consistent = "ldaps".equals(scheme) == (tls == LdapTls.LDAPS);
    return problems.check(
            consistent,
            "auth.ldap.tls",
            value,
            "does not match the URL scheme "
                + scheme
                + "://; use ldaps:// with ldaps, ldap:// with starttls or none")
        ? tls
        : null;
  }

  /** The items of a list setting, each of which may itself be comma-separated text. */
  static List<String> commaSeparated(List<String> values) {
    if (values == null) {
      return List.of();
    }
    return values.stream()
        .filter(v -> v != null)
        .flatMap(v -> Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(v -> !v.isEmpty())
        .toList();
  }

  private static String blankToNull(String s) {
    return blank(s) ? null : s;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
