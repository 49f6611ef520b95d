package dev.dropzone.gateway.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;

/**
 * A user DN pattern such as {@code uid={0},ou=people,dc=example,dc=com}. The login name becomes the
 * value of the first RDN as a value, never as DN text, so characters like {@code ,}, {@code +} or
 * {@code =} in a name cannot change which entry is bound.
 */
final class DnTemplate {

  static final String PLACEHOLDER = "{0}";

  private final String attribute;
  private final DN parent;

  private DnTemplate(String attribute, DN parent) {
    this.attribute = attribute;
    this.parent = parent;
  }

  /**
   * @throws IllegalArgumentException when the template is not {@code <attribute>={0},<parent DN>}
   */
  static DnTemplate parse(String template) {
    int equals = template.indexOf('=');
    String prefix = equals < 0 ? "" : template.substring(equals + 1);
    if (equals < 1 || !prefix.startsWith(PLACEHOLDER + ",")) {
      throw new IllegalArgumentException(
          "LDAP user DN template '"
              + template
              + "' must look like uid={0},ou=people,dc=example,dc=com ({0} is the whole value of"
              + " the first RDN)");
    }
    String attribute = template.substring(0, equals).trim();
    String parentText = prefix.substring(PLACEHOLDER.length() + 1);
    try {
      return new DnTemplate(attribute, new DN(parentText));
    } catch (LDAPException e) {
      throw new IllegalArgumentException(
          "LDAP user DN template '" + template + "': '" + parentText + "' is not a valid DN", e);
    }
  }

  /** The attribute that holds the login name, e.g. {@code uid}. */
  String attribute() {
    return attribute;
  }

  DN dnOf(String username) {
    return new DN(new RDN(attribute, username), parent);
  }
}
