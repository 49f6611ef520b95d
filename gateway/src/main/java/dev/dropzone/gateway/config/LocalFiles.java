package dev.dropzone.gateway.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files the configuration names (users file, keyset): why this process cannot read one, and whether
 * others than its owner may touch it. Messages name the numbers an operator needs to fix a volume
 * mount: this process's uid, the file's owner and mode.
 */
public final class LocalFiles {

  private static final Set<PosixFilePermission> WRITE_BY_OTHERS =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private LocalFiles() {}

  /**
   * The reason behind a failed read, e.g. {@code permission denied for uid 10001 (the file belongs
   * to uid 1000, mode rw-------)}.
   */
  public static String describe(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return "it does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied for uid "
          + currentUid().map(String::valueOf).orElse("(unknown)")
          + " ("
          + ownership(file)
          + ")";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.toString();
  }

  /** {@code the file belongs to uid 1000, mode rw-------}, as far as it can be seen. */
  static String ownership(Path file) {
    Path existing = file;
    String what = "the file";
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
      what = "its directory";
    }
    if (existing == null) {
      return "no part of the path exists";
    }
    try {
      Object uid = Files.getAttribute(existing, "unix:uid");
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(existing));
      String owner = what + " " + (what.equals("the file") ? "" : existing + " ");
      return owner + "belongs to uid " + uid + ", mode " + mode;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "owner and mode of " + existing + " cannot be read either";
    }
  }

  /** The permissions of {@code file}, or empty where the file system has none. */
  public static Optional<Set<PosixFilePermission>> permissions(Path file) throws IOException {
    try {
      return Optional.of(Files.getPosixFilePermissions(file));
    } catch (UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** Whether users other than the owner may change the file. */
  public static boolean writableByOthers(Set<PosixFilePermission> permissions) {
    return permissions.stream().anyMatch(WRITE_BY_OTHERS::contains);
  }

  /**
   * The effective uid this process runs as, where the platform tells. Read from Linux's {@code
   * /proc/self/status}: the JDK's {@code UnixSystem} answers 0 for a uid without a passwd entry, as
   * containers often run.
   */
  public static Optional<Long> currentUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          // Real, effective, saved and file-system uid: access checks use the effective one.
          return Optional.of(Long.parseLong(line.substring(4).trim().split("\\s+")[1]));
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
