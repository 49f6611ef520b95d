package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.Objects;

/**
 * A group whose members get some treatment (access at all, or read-only access). Membership is a
 * search for a group entry matching {@code filter} that lists the user's DN in {@code
 * memberAttribute}, which works on every server (no {@code memberOf} overlay needed).
 *
 * @param baseDn where groups live, e.g. {@code ou=groups,dc=example,dc=com}
 * @param filter which group, e.g. {@code (&(objectClass=groupOfNames)(cn=ftpusers))}
 * @param memberAttribute the attribute listing member DNs; {@code member} for groupOfNames, {@code
 *     uniqueMember} for groupOfUniqueNames
 */
public record LdapGroup(String baseDn, String filter, String memberAttribute) {

  public LdapGroup {
    Objects.requireNonNull(baseDn, "baseDn");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(memberAttribute, "memberAttribute");
    try {
      new DN(baseDn);
      Filter.create(filter);
    } catch (LDAPException e) {
      throw new IllegalArgumentException(
          "LDAP group '" + filter + "' under '" + baseDn + "': " + e.getMessage(), e);
    }
  }

  /** A {@code groupOfNames} group with this {@code cn}. */
  public static LdapGroup named(String baseDn, String cn) {
    return new LdapGroup(
        baseDn,
        Filter.createANDFilter(
                Filter.createEqualityFilter("objectClass", "groupOfNames"),
                Filter.createEqualityFilter("cn", cn))
            .toString(),
        "member");
  }

  /**
   * True when a group matching {@code filter} lists {@code member}.
   *
   * @throws LDAPException when the directory does not answer the search in full; in particular a
   *     size limit it imposes is never read as membership
   */
  boolean contains(LDAPInterface directory, DN member) throws LDAPException {
    Filter membership =
        Filter.createANDFilter(
            Filter.create(filter), Filter.createEqualityFilter(memberAttribute, member.toString()));
    // No size limit of our own: the filter names the member, so only the groups that list them
    // match. "1.1" asks for no attributes: only whether an entry exists matters.
    SearchRequest request =
        new SearchRequest(
            baseDn, SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false, membership, "1.1");
    try {
      return directory.search(request).getEntryCount() > 0;
    } catch (LDAPSearchException e) {
      if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
        throw new LDAPException(
            ResultCode.SIZE_LIMIT_EXCEEDED,
            "the directory's size limit cut short the search for groups matching "
                + filter
                + " that list the user, so membership is unknown; raise the limit for the"
                + " account that searches, or narrow the group filter",
            e);
      }
      throw e;
    }
  }
}
