package dev.dropzone.gateway.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings shared by the users file's members of a group ({@code group: NAME} on a user). A group
 * narrows what its members may do and gives limits to members that set none themselves.
 *
 * @param name group name: letters, digits, {@code .}, {@code _}, {@code -}
 * @param permissions the most a member may do; absent: no narrowing
 * @param readOnly when true, members may only list and read
 * @param maxSessions sessions per member for members without their own {@code maxSessions}
 * @param quota quota per member for members without their own {@code quota}
 * @param scan whether members' uploads are malware-scanned, for members without their own {@code
 *     scan}; absent: {@code scan.allUsers}
 */
@JsonPropertyOrder({"name", "permissions", "readOnly", "maxSessions", "quota", "scan"})
public record GroupEntry(
    String name,
    @JsonInclude(JsonInclude.Include.NON_NULL) Set<Permission> permissions,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean readOnly,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxSessions,
    @JsonInclude(JsonInclude.Include.NON_NULL) UserEntry.Quota quota,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean scan) {

  public GroupEntry {
    if (!UserEntry.isValidName(name)) {
      throw new IllegalArgumentException(
          "group name '" + name + "' is not valid: use 1-64 letters, digits, '.', '_' or '-'");
    }
    permissions =
        permissions == null ? null : permissions.isEmpty() ? Set.of() : EnumSet.copyOf(permissions);
    if (maxSessions != null && maxSessions < 0) {
      throw new IllegalArgumentException(
          "group '" + name + "': maxSessions must be 0 (no limit) or more, got " + maxSessions);
    }
  }
}
