package dev.dropzone.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files at the repository root (the Dockerfile, the compose file), seen from this module. */
final class RepositoryFiles {

  private RepositoryFiles() {}

  /** The repository root: the parent of this module, which the build runs tests from. */
  static Path root() {
    Path root = Path.of("").toAbsolutePath().getParent();
    if (root == null || !Files.exists(root.resolve("localstack/pom.xml"))) {
      throw new IllegalStateException(
          "tests must run from the localstack module directory (as Maven does), not from "
              + Path.of("").toAbsolutePath());
    }
    return root;
  }

  static Path resolve(String relative) {
    return root().resolve(relative);
  }

  static String read(String relative) throws IOException {
    return Files.readString(resolve(relative));
  }
}
