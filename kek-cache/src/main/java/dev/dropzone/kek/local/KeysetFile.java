package dev.dropzone.kek.local;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that holds the local master keyset: opened if it exists, otherwise created so that no
 * other process can ever read a half-written or world-readable master key.
 */
final class KeysetFile {

  private static final Logger LOG = LoggerFactory.getLogger(KeysetFile.class);

  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final Path file;

  KeysetFile(Path file) {
    this.file = file.toAbsolutePath();
  }

  /** The keyset in the file, after creating the file with a fresh AES256_GCM keyset if absent. */
  KeysetHandle openOrCreate() throws KeyServiceException {
    try {
      if (!Files.exists(file)) {
        create();
      }
      return read();
    } catch (IOException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, "cannot read or create local keyset file " + file + ": " + e, e);
    }
  }

  /** The keyset in the file, which must exist. */
  KeysetHandle openExisting() throws KeyServiceException {
    if (!Files.exists(file)) {
      throw new KeyServiceException(
          Failure.REJECTED, "local keyset file " + file + " does not exist");
    }
    try {
      return read();
    } catch (IOException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, "cannot read local keyset file " + file + ": " + e, e);
    }
  }

  /** A new keyset in a file that must not exist yet. */
  KeysetHandle createNew() throws KeyServiceException {
    if (Files.exists(file)) {
      throw new KeyServiceException(
          Failure.REJECTED,
          "local keyset file " + file + " already exists; a master key is never replaced");
    }
    try {
      if (!create()) {
        throw new KeyServiceException(
            Failure.REJECTED,
            "local keyset file " + file + " was created by another process meanwhile");
      }
      return read();
    } catch (IOException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, "cannot create local keyset file " + file + ": " + e, e);
    }
  }

  private KeysetHandle read() throws IOException, KeyServiceException {
    refuseIfSharedWithOthers();
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, "local keyset file " + file + " disappeared while opening it", e);
    }
    try {
      return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException | RuntimeException e) {
      // Never replace it: objects wrapped with the old master key would become unreadable.
      throw new KeyServiceException(
          Failure.INVALID,
          "local keyset file "
              + file
              + " is not a Tink JSON keyset; restore it from a backup (a new keyset cannot decrypt"
              + " existing objects)",
          e);
    }
  }

  private void refuseIfSharedWithOthers() throws IOException, KeyServiceException {
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (posix == null) {
      return;
    }
    Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
    Set<PosixFilePermission> shared = EnumSet.copyOf(GROUP_OR_OTHERS);
    shared.retainAll(permissions);
    if (!shared.isEmpty()) {
      throw new KeyServiceException(
          Failure.REJECTED,
          "local keyset file "
              + file
              + " has permissions "
              + PosixFilePermissions.toString(permissions)
              + ": a master key must be readable by its owner only; run chmod 600 "
              + file);
    }
  }

  /**
   * Writes a new keyset to a private temporary file and then hard-links it into place: the link
   * fails if the file already exists, so of several processes racing to create the keyset exactly
   * one wins and the others use the winner's keyset.
   */
  private boolean create() throws IOException, KeyServiceException {
    Path directory = file.getParent();
    boolean posix = supportsPosix(directory);
    createDirectories(directory, posix);
    String json = newKeysetJson();
    FileAttribute<?>[] ownerOnly =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
            : new FileAttribute<?>[0];
    Path temporary = Files.createTempFile(directory, ".keyset-", ".tmp", ownerOnly);
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      return publish(temporary);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private boolean publish(Path temporary) throws IOException {
    try {
      try {
        Files.createLink(file, temporary);
      } catch (UnsupportedOperationException e) {
        // No hard links on this file system: a move without REPLACE_EXISTING still refuses to
        // overwrite an existing keyset, though the check and the move are two steps.
        Files.move(temporary, file);
      }
    } catch (FileAlreadyExistsException e) {
      LOG.debug("Another process created {} first; using its keyset", file);
      return false;
    }
    LOG.info(
        "Created local master keyset {} (owner-only). Back it up: objects cannot be decrypted"
            + " without it.",
        file);
    return true;
  }

  private static void createDirectories(Path directory, boolean posix) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    if (posix) {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
    } else {
      Files.createDirectories(directory);
    }
  }

  private static boolean supportsPosix(Path directory) throws IOException {
    Path existing = directory;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null
        && Files.getFileStore(existing).supportsFileAttributeView(PosixFileAttributeView.class);
  }

  private static String newKeysetJson() throws KeyServiceException {
    try {
      KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, "cannot generate a local master keyset: " + e.getMessage(), e);
    }
  }
}
