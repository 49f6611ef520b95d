package dev.dropzone.gateway.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.config.LocalFiles;
import dev.dropzone.gateway.config.YamlMappers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The users file: a YAML document {@code users: [{name, passwordHash, home, permissions, readOnly,
 * maxSessions, quota, group}]} and optionally {@code groups: [...]} (see {@link GroupEntry}).
 * Writes replace the file atomically, readable by its owner only, so a running gateway never reads
 * half a file.
 */
public final class UsersFile {

  private static final ObjectMapper YAML = YamlMappers.strict();

  /**
   * The whole file: users, and the groups they may belong to.
   *
   * @param users the users
   * @param groups the groups; absent in files without any
   */
  public record Contents(
      List<UserEntry> users, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<GroupEntry> groups) {
    public Contents {
      users = users == null ? List.of() : List.copyOf(users);
      groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** The group called {@code name}, or null. */
    public GroupEntry group(String name) {
      return name == null
          ? null
          : groups.stream().filter(g -> g.name().equals(name)).findFirst().orElse(null);
    }
  }

  private final Path path;

  public UsersFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  public Path path() {
    return path;
  }

  /**
   * The users; a missing file has none.
   *
   * @throws InvalidUsersFileException when the file exists but is not a valid users file
   */
  public List<UserEntry> read() throws IOException {
    return contents().users();
  }

  /**
   * Users and groups; a missing file has neither.
   *
   * @throws InvalidUsersFileException when the file exists but is not a valid users file
   */
  public Contents contents() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new Contents(List.of(), List.of());
    } catch (IOException e) {
      // The bare AccessDeniedException names only the path; say whose access was denied.
      throw new IOException(
          "cannot read users file " + path + ": " + LocalFiles.describe(path, e), e);
    }
    return parse(bytes);
  }

  Contents parse(byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return new Contents(List.of(), List.of());
    }
    Contents document;
    try {
      document = YAML.readValue(bytes, Contents.class);
    } catch (JsonMappingException e) {
      throw new InvalidUsersFileException(path, where(e) + rootMessage(e), e);
    } catch (JacksonException e) {
      throw new InvalidUsersFileException(path, "not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (document == null) {
      return new Contents(List.of(), List.of());
    }
    Set<String> groups = new HashSet<>();
    for (GroupEntry group : document.groups()) {
      if (group == null || !groups.add(group.name())) {
        throw new InvalidUsersFileException(
            path,
            group == null
                ? "empty entry in 'groups'"
                : "group '" + group.name() + "' appears more than once",
            null);
      }
    }
    Set<String> seen = new HashSet<>();
    for (UserEntry user : document.users()) {
      if (user == null) {
        throw new InvalidUsersFileException(path, "empty entry in 'users'", null);
      }
      if (!seen.add(user.name())) {
        throw new InvalidUsersFileException(
            path, "user '" + user.name() + "' appears more than once", null);
      }
      if (user.group() != null && !groups.contains(user.group())) {
        throw new InvalidUsersFileException(
            path,
            "user '"
                + user.name()
                + "' is in group '"
                + user.group()
                + "', which is not defined under 'groups'",
            null);
      }
    }
    return document;
  }

  public Optional<UserEntry> find(String name) throws IOException {
    return read().stream().filter(u -> u.name().equals(name)).findFirst();
  }

  /** Adds {@code user}, or replaces the entry of the same name. */
  public void put(UserEntry user) throws IOException {
    List<UserEntry> users = new ArrayList<>(read());
    users.removeIf(u -> u.name().equals(user.name()));
    users.add(user);
    write(users);
  }

  /**
   * @return false when there was no such user
   */
  public boolean remove(String name) throws IOException {
    List<UserEntry> users = new ArrayList<>(read());
    boolean removed = users.removeIf(u -> u.name().equals(name));
    if (removed) {
      write(users);
    }
    return removed;
  }

  /** Replaces the users atomically with owner-only permissions, keeping the groups. */
  public void write(List<UserEntry> users) throws IOException {
    write(new Contents(users, contents().groups()));
  }

  /** Replaces the whole file atomically with owner-only permissions. */
  public void write(Contents contents) throws IOException {
    Path dir = path.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp", ownerOnly(dir));
    try {
      byte[] bytes = YAML.writeValueAsBytes(contents);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        // Durable before it becomes visible: a crash must not leave an empty users file.
        channel.force(true);
      }
      try {
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Creates the file with {@code users} unless it exists; false when it already existed. */
  public boolean createIfAbsent(List<UserEntry> users) throws IOException {
    if (Files.exists(path)) {
      return false;
    }
    try {
      write(users);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  static FileAttribute<?>[] ownerOnly(Path dir) {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  private static String where(JsonMappingException e) {
    String location = YamlMappers.location(e);
    return location.isEmpty() ? "" : location + ": ";
  }

  private static String rootMessage(JacksonException e) {
    // A record constructor's own message says what is wrong; Jackson's wrapper only says where.
    Throwable cause = e.getCause();
    return cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
  }
}
