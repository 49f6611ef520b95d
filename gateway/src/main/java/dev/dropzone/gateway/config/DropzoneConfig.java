package dev.dropzone.gateway.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Duration;
import java.util.List;

/**
 * The configuration file's shape, after defaults, environment and flags have been applied. Values
 * are as written; {@link GatewaySettings#from} validates them and turns them into the settings the
 * components take.
 */
public record DropzoneConfig(
    S3 s3,
    Keys keys,
    Ftp ftp,
    Users users,
    Uploads uploads,
    Auth auth,
    Scan scan,
    Audit audit,
    Admin admin) {

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
      int maxConnections,
      ByteSize partBufferBudget,
      Copy copy,
      Duration commandDeadline,
      int maxNameBytes) {}

  /** Multipart-copy limits, for S3-compatible servers whose CopyObject cap is below AWS's. */
  public record Copy(ByteSize multipartAbove, ByteSize partSize) {}

  public record Keys(
      String provider,
      String keysetFile,
      Vault vault,
      Eaas eaas,
      Kms kms,
      Pkcs11 pkcs11,
      KeyHttp http,
      Cache cache,
      Boolean acceptFormatV1) {}

  public record Vault(
      String address,
      String mount,
      String key,
      Secret token,
      String namespace,
      String caBundle,
      boolean derived) {}

  public record Eaas(
      String url,
      String secretPath,
      int secretVersion,
      int minSecretVersion,
      Secret token,
      String clientCertificate,
      String clientKey,
      String caBundle) {}

  /** {@code retiredKeyIds} also accepts one comma-separated text value, as {@link Auth} does. */
  public record Kms(
      String keyId,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          List<String> retiredKeyIds,
      String region,
      String endpoint) {}

  public record Pkcs11(String library, Long slot, int slotListIndex, Secret pin, String keyLabel) {}

  public record KeyHttp(
      Duration connectTimeout,
      Duration requestTimeout,
      int maxAttempts,
      int maxInFlight,
      boolean allowInsecure) {}

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
      int maxPreLoginConnections,
      int maxPreLoginConnectionsPerIp,
      int maxNewConnectionsPerIpPerMinute,
      int ipv6PrefixLength,
      int maxLoginFailures,
      int maxLoginFailuresPerUser,
      Duration banDuration,
      Duration loginFailureDelay,
      int maxThreads,
      int maxCommandLength,
      Duration shutdownGrace,
      Duration dataConnectTimeout,
      int maxTransfers,
      Duration dataIdleTimeout,
      Duration uploadSettleTime,
      ModeZ modeZ,
      RefusedCommands refusedCommands,
      Tls tls) {}

  public record ModeZ(int maxRatio) {}

  public record RefusedCommands(int burst, int perSecond) {}

  public record Tls(
      String certificate,
      String privateKey,
      String keystore,
      Secret keystorePassword,
      boolean required,
      int implicitPort,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> protocols,
      boolean requireSessionReuse) {}

  public record Users(String file) {}

  public record Audit(String target, String xferlog) {}

  public record Uploads(Duration staleUploadAge, Duration sweepInterval) {}

  public record Scan(
      boolean enabled,
      String clamd,
      int maxConnections,
      Duration connectTimeout,
      Duration verdictTimeout,
      String onFailure,
      ByteSize maxSize,
      String onTooLarge,
      boolean allUsers) {}

  public record Admin(
      boolean enabled,
      String bind,
      int port,
      Secret token,
      Duration checkCacheTtl,
      Duration checkTimeout) {}

  /**
   * Lists also accept one comma-separated text value, the form environment variables and {@code
   * --set} give.
   */
  public record Auth(
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> backends,
      Integer maxConcurrentChecks,
      Duration checkQueueTimeout,
      Duration credentialCacheTtl,
      Pam pam,
      Ldap ldap) {}

  public record Pam(
      String service,
      int minUid,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          List<String> refusedShells,
      String homePrefix) {}

  public record Ldap(
      String url,
      String tls,
      String caBundle,
      boolean verifyHostname,
      String userDnTemplate,
      LdapSearch search,
      LdapGroup group,
      String readOnlyGroup,
      LdapAttributes attributes,
      String homePrefix,
      Duration connectTimeout,
      Duration responseTimeout,
      int poolSize) {}

  public record LdapSearch(
      String baseDn, String filter, String loginAttribute, String bindDn, Secret bindPassword) {}

  public record LdapGroup(String baseDn, String filter, String memberAttribute) {}

  public record LdapAttributes(String home, String permissions) {}
}
