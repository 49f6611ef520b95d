package dev.dropzone.gateway.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.config.YamlMappers;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded S3 server's access key and secret, generated once and kept in {@code
 * <data-dir>/embedded.yaml} (owner-only), so restarts keep working with the same S3 tools setup.
 */
public record EmbeddedCredentials(String accessKey, String secretKey) {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCredentials.class);
  private static final ObjectMapper YAML = YamlMappers.strict();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Reads the credentials file, creating it with fresh random credentials on first start. */
  public static EmbeddedCredentials loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      ownerOnly(file);
      return read(file);
    }
    EmbeddedCredentials fresh = new EmbeddedCredentials("dz" + random(8), random(24));
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      return read(file);
    }
    Files.write(file, YAML.writeValueAsBytes(fresh), StandardOpenOption.TRUNCATE_EXISTING);
    return fresh;
  }

  /** An older or hand-edited file readable by others is made owner-only again. */
  private static void ownerOnly(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    Set<PosixFilePermission> owner =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    if (!owner.containsAll(permissions)) {
      Files.setPosixFilePermissions(file, owner);
      LOG.warn(
          "{} held the S3 secret key with permissions {}; they are now rw------- (owner only)",
          file,
          PosixFilePermissions.toString(permissions));
    }
  }

  private static EmbeddedCredentials read(Path file) throws IOException {
    try {
      EmbeddedCredentials creds = YAML.readValue(file.toFile(), EmbeddedCredentials.class);
      if (creds == null || creds.accessKey() == null || creds.secretKey() == null) {
        throw new IOException("accessKey or secretKey is missing");
      }
      return creds;
    } catch (IOException e) {
      throw new IOException(
          file
              + " is not a valid embedded credentials file ("
              + e.getMessage()
              + "); delete it to generate new S3 credentials",
          e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public String toString() {
    return "EmbeddedCredentials[" + accessKey + ", ******]";
  }
}
