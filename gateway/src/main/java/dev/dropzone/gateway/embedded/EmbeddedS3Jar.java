package dev.dropzone.gateway.embedded;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Finds the embedded S3 server's code: on the class path when it is there (tests, an IDE), else in
 * {@value #JAR_NAME} beside the gateway's jar, opened in a class loader of its own. The gateway jar
 * that {@code serve} runs from therefore holds no S3Proxy, Jetty or jclouds class.
 */
final class EmbeddedS3Jar {

  /** The jar the build puts next to {@code dropzone.jar}. */
  static final String JAR_NAME = "dropzone-embedded-s3.jar";

  static final String SERVER_CLASS = "dev.dropzone.embedded.s3.S3ProxyServer";

  private static Class<?> loaded;

  private EmbeddedS3Jar() {}

  /** The server class, loading its jar once per process. */
  static synchronized Class<?> serverClass() throws IOException {
    if (loaded == null) {
      loaded = load();
    }
    return loaded;
  }

  private static Class<?> load() throws IOException {
    ClassLoader own = EmbeddedS3Jar.class.getClassLoader();
    try {
      return Class.forName(SERVER_CLASS, true, own);
    } catch (ClassNotFoundException notOnClassPath) {
      // The usual case for the built jar: look beside it.
    }
    Path gatewayJar = gatewayJar();
    Path jar = gatewayJar == null ? null : gatewayJar.resolveSibling(JAR_NAME);
    if (jar == null || !Files.isRegularFile(jar)) {
      throw new IOException(
          "embedded mode needs its S3 server, "
              + JAR_NAME
              + ", next to the gateway's jar"
              + (gatewayJar == null ? "" : " (" + gatewayJar + ")")
              + ", and it is not there. This installation runs 'serve' only (the container image"
              + " is one); for embedded mode build from source with 'mvn package' and run"
              + " gateway/target/dropzone.jar, which the build puts beside "
              + JAR_NAME);
    }
    // Parent-first: classes both jars hold (Jackson, slf4j) come from the gateway's jar; the build
    // gives them the same versions in both.
    URLClassLoader loader = new URLClassLoader("embedded-s3", new URL[] {jar.toUri().toURL()}, own);
    try {
      return Class.forName(SERVER_CLASS, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IOException(jar + " does not hold the embedded S3 server: " + e, e);
    }
  }

  /** The jar this class was loaded from, or null when it runs from a classes directory. */
  private static Path gatewayJar() {
    CodeSource source = EmbeddedS3Jar.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location) ? location : null;
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
