package dev.dropzone.gateway.cli;

import dev.dropzone.kek.eaas.EaasProtocolServer;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of a gateway, as {@code serve} reads them, on the in-process S3 server and the EaaS
 * protocol double: bucket {@code bucket} with prefix {@code dz}, key pair {@code dz/master}, FTP
 * and passive ports picked by the system.
 */
final class EaasGatewayConfig {

  private EaasGatewayConfig() {}

  static Map<String, String> of(
      S3ProxyFixture s3, String bucket, EaasProtocolServer eaas, Path users) {
    Map<String, String> config = new HashMap<>();
    config.put("s3.endpoint", s3.endpoint().toString());
    config.put("s3.bucket", bucket);
    config.put("s3.prefix", "dz");
    config.put("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY);
    config.put("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY);
    config.put("keys.provider", "eaas");
    config.put("keys.eaas.url", eaas.uri().toString());
    config.put("keys.eaas.secretPath", "dz/master");
    config.put("keys.eaas.token", eaas.token());
    config.put("keys.http.maxAttempts", "1");
    config.put("users.file", users.toString());
    config.put("ftp.port", "0");
    config.put("ftp.passivePorts", "0");
    return config;
  }
}
