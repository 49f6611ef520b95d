package dev.dropzone.gateway.config;

import java.time.Duration;

/**
 * The configuration file's shape, after defaults, environment and flags have been applied. Values
 * are as written; {@link GatewaySettings#from} validates them and turns them into the settings the
 * components take.
 */
public record DropzoneConfig(S3 s3, Keys keys, Ftp ftp, Users users, Uploads uploads) {

  public record S3(
      String endpoint,
      String region,
      String bucket,
      String prefix,
      String accessKeyId,
      Secret secretAccessKey,
      boolean pathStyle,
      ByteSize partSize,
      int partsInFlight,
      int maxConnections) {}

  public record Keys(String provider, String keysetFile, Cache cache) {}

  public record Cache(long maxSize, Duration ttl) {}

  public record Ftp(
      String bind,
      int port,
      String passivePorts,
      String passiveAddress,
      boolean activeMode,
      Duration idleTimeout,
      Duration loginTimeout,
      int maxConnections,
      int maxConnectionsPerIp,
      int maxLoginFailures,
      Duration banDuration,
      Duration loginFailureDelay,
      int maxThreads,
      int maxCommandLength,
      Duration shutdownGrace,
      Tls tls) {}

  public record Tls(
      String certificate,
      String privateKey,
      String keystore,
      Secret keystorePassword,
      boolean required,
      int implicitPort) {}

  public record Users(String file) {}

  public record Uploads(Duration staleUploadAge) {}
}
