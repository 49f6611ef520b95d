package dev.dropzone.gateway.keys;

import dev.dropzone.gateway.config.LocalFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code local} provider's keyset file, as the gateway must find it. Only {@code dropzone keys
 * init} (and embedded mode, for its own data directory) creates a master key: a mistyped {@code
 * keys.keysetFile} must not quietly start a new key that cannot decrypt the existing files.
 */
public final class LocalKeyset {

  private LocalKeyset() {}

  /**
   * Why the configured keyset cannot be used, or empty when it exists and is readable (other
   * providers have no keyset file). Its permissions are checked when the key service opens it.
   */
  public static Optional<String> problem(KeyProvider provider) {
    if (!(provider instanceof KeyProvider.Local local)) {
      return Optional.empty();
    }
    Path file = local.keysetFile().toAbsolutePath();
    if (!Files.exists(file)) {
      return Optional.of(
          "keys.keysetFile: "
              + file
              + " does not exist. Create the master key once with 'dropzone keys init' (same"
              + " --config); if it should exist, correct keys.keysetFile: a new master key cannot"
              + " decrypt files written under another");
    }
    try (InputStream in = Files.newInputStream(file)) {
      in.read();
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "keys.keysetFile: cannot read " + file + ": " + LocalFiles.describe(file, e));
    }
  }
}
