package dev.dropzone.bench.child;

import dev.dropzone.gateway.ftp.FtpGateway;
import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.gateway.scan.ClamdAddress;
import dev.dropzone.gateway.scan.ScanSettings;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.gateway.scan.UploadScanning;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.S3Settings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The gateway under benchmark, wired as production wires it (local key service, data-key cache,
 * per-user keys, encrypted store, FTP front end), in its own JVM so its CPU, RSS and heap can be
 * measured alone.
 *
 * <p>Arguments: S3 endpoint, bucket, keyset file, users file (logins are checked as in production:
 * Argon2id, then the short-lived verified-credential cache), and optionally a clamd address and a
 * size limit in bytes to scan every upload (fail closed). Prints {@code PORT <n>}, then answers
 * {@code stats} with key-service call counts and peak heap, and {@code reset} by resetting the heap
 * peaks.
 */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    S3Settings s3 =
        S3Settings.of(
            URI.create(args[0]),
            S3ServerMain.REGION,
            S3ServerMain.ACCESS_KEY,
            S3ServerMain.SECRET_KEY,
            args[1],
            "dz");
    CountingKeyService keyService = new CountingKeyService(LocalKeyService.open(Path.of(args[2])));
    DataKeyCache cache = DataKeyCache.builder(keyService).build();
    LiveHeap liveHeap = new LiveHeap();
    ExecutorService blocking = Executors.newCachedThreadPool();
    try (EncryptedStore store = EncryptedStore.open(s3);
        UploadScanning scanning = scanning(args)) {
      // As GatewayRuntime does before it takes clients.
      store.warmUp(Duration.ofSeconds(3));
      UserKeys keys = UserKeys.builder(keyService, cache, store.keyRecords(), blocking).build();
      try (FtpGateway gateway =
          FtpGateway.start(
              settings(),
              store,
              keys,
              new FileAuthenticator(new UsersFile(Path.of(args[3]))),
              scanning)) {
        System.out.println("PORT " + gateway.port());
        System.out.flush();
        ControlLines.awaitEnd(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
            command ->
                switch (command) {
                  case "stats" ->
                      "STATS wraps="
                          + keyService.wraps()
                          + " unwraps="
                          + keyService.unwraps()
                          + " cacheLoads="
                          + cache.stats().loads()
                          + " heapPeak="
                          + heapPeak()
                          + " liveHeapPeak="
                          + liveHeap.peak()
                          + " partBufferBudget="
                          + store.partBufferUse().budgetBytes()
                          + " partBufferPeak="
                          + store.partBufferUse().peakReservedBytes()
                          + " partBufferWaits="
                          + store.partBufferUse().waits();
                  case "reset" -> {
                    ManagementFactory.getMemoryPoolMXBeans()
                        .forEach(MemoryPoolMXBean::resetPeakUsage);
                    liveHeap.reset();
                    yield "OK";
                  }
                  default -> "ERROR unknown command " + command;
                });
      }
    } finally {
      blocking.shutdownNow();
    }
  }

  private static UploadScanning scanning(String[] args) {
    if (args.length < 6) {
      return UploadScanning.OFF;
    }
    return UploadScanning.start(
        new ScanSettings(
            ClamdAddress.parse(args[4]),
            32,
            Duration.ofSeconds(5),
            Duration.ofSeconds(120),
            Fallback.REFUSE,
            Long.parseLong(args[5]),
            Fallback.REFUSE,
            true));
  }

  /** Sum of the heap pools' peak usage since the last reset (an upper bound of the live peak). */
  private static long heapPeak() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP)
        .mapToLong(pool -> pool.getPeakUsage().getUsed())
        .sum();
  }

  /** Safe defaults, on any free port, with room for the concurrent-clients case. */
  private static FtpSettings settings() {
    FtpSettings d = FtpSettings.defaults();
    return new FtpSettings(
        "127.0.0.1",
        0,
        "0",
        null,
        false,
        d.idleTimeout(),
        d.loginTimeout(),
        d.maxConnections(),
        32,
        d.maxLoginFailures(),
        d.banDuration(),
        d.loginFailureDelay(),
        32,
        d.maxCommandLength(),
        d.shutdownGrace(),
        d.dataConnectTimeout(),
        null,
        transfers(d.transfers()));
  }

  /**
   * The default transfer limits, or with {@code -Dbench.uploadSettleMillis=<n>} (a gateway JVM
   * option) another {@code ftp.uploadSettleTime}: what the settle wait costs each upload.
   */
  private static FtpSettings.Transfers transfers(FtpSettings.Transfers d) {
    String settle = System.getProperty("bench.uploadSettleMillis");
    if (settle == null) {
      return d;
    }
    return new FtpSettings.Transfers(
        d.maxTransfers(),
        d.dataIdleTimeout(),
        d.modeZMaxRatio(),
        Duration.ofMillis(Long.parseLong(settle)));
  }
}
