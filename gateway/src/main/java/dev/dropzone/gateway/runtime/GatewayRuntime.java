package dev.dropzone.gateway.runtime;

import dev.dropzone.gateway.admin.AdminEndpoint;
import dev.dropzone.gateway.audit.Audit;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.ftp.FtpGateway;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.gateway.keys.OpenKeyService;
import dev.dropzone.gateway.metrics.GatewayMeters;
import dev.dropzone.gateway.metrics.MeteredKeyService;
import dev.dropzone.gateway.metrics.S3RequestMeters;
import dev.dropzone.gateway.metrics.StoreMeters;
import dev.dropzone.gateway.scan.UploadScanning;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: key service → data-key cache → encrypted store → per-user keys → upload
 * scanning → FTP. Closing it stops in the reverse order: the FTP server first (no new connections,
 * running transfers get their grace period, the rest are aborted), then scanning and the store, so
 * no upload is cut off by a closed S3 client or scanner.
 */
public final class GatewayRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  /** Key record reads and writes are blocking S3 calls; a few threads are plenty for them. */
  private static final int KEY_RECORD_THREADS = 4;

  /**
   * The longest the start waits for S3 to answer the warm-up requests; S3 that is down at start
   * delays it by this much, then the gateway starts anyway and /readyz reports S3.
   */
  private static final Duration WARM_UP_TIME = Duration.ofSeconds(3);

  private final GatewayMeters meters;
  private final ExecutorService keyRecordIo;
  private final OpenKeyService keyService;
  private final EncryptedStore store;
  private final UploadScanning scanning;
  private final Audit audit;
  private final FtpGateway ftp;
  private final AdminEndpoint admin;
  private final AtomicBoolean closed;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile UserSources userSources;

  private GatewayRuntime(
      GatewayMeters meters,
      ExecutorService keyRecordIo,
      OpenKeyService keyService,
      EncryptedStore store,
      UploadScanning scanning,
      Audit audit,
      FtpGateway ftp,
      AdminEndpoint admin,
      AtomicBoolean closed) {
    this.meters = meters;
    this.keyRecordIo = keyRecordIo;
    this.keyService = keyService;
    this.store = store;
    this.scanning = scanning;
    this.audit = audit;
    this.ftp = ftp;
    this.admin = admin;
    this.closed = closed;
  }

  /**
   * Starts the gateway with the user sources {@code settings.auth()} lists; they are closed with
   * the gateway.
   *
   * @throws IllegalStateException when a listed user source cannot be used
   */
  public static GatewayRuntime start(GatewaySettings settings)
      throws IOException, KeyServiceException {
    UserSources users = UserSources.open(settings.auth(), settings.usersFile());
    try {
      GatewayRuntime runtime = start(settings, users.authenticator());
      runtime.userSources = users;
      return runtime;
    } catch (IOException | KeyServiceException | RuntimeException e) {
      users.close();
      throw e;
    }
  }

  /**
   * Starts every component; on failure, whatever was started is stopped again before the exception
   * propagates.
   *
   * @throws KeyServiceException when the key service cannot be opened
   * @throws IOException when S3 or the FTP listener fails to start
   * @throws HeapTooSmallException when the heap is too small for the settings ({@link MemoryPlan})
   */
  public static GatewayRuntime start(GatewaySettings settings, Authenticator authenticator)
      throws IOException, KeyServiceException {
    MemoryPlan memory =
        MemoryPlan.of(Runtime.getRuntime().maxMemory(), settings.ftp().transfers(), settings.s3());
    LOG.info("{}", memory.describe());
    S3Settings s3 = memory.apply(settings.s3());
    GatewayMeters meters = new GatewayMeters();
    ExecutorService keyRecordIo = Executors.newFixedThreadPool(KEY_RECORD_THREADS, daemon());
    EncryptedStore store = null;
    OpenKeyService opened = null;
    UploadScanning scanning = UploadScanning.OFF;
    Audit audit = null;
    FtpGateway ftp = null;
    AtomicBoolean closed = new AtomicBoolean();
    try {
      audit = Audit.open(settings.audit());
      opened = OpenKeyService.open(settings.keyProvider());
      KeyService keyService =
          new MeteredKeyService(opened.service(), settings.keyProvider().name(), meters.registry());
      DataKeyCache cache =
          DataKeyCache.builder(keyService)
              .maximumSize(settings.keyCacheMaxSize())
              .maximumAge(settings.keyCacheTtl())
              .build();
      StoreMeters.bind(cache, meters.registry());
      warnOfUnboundV1Keys(settings);
      store = EncryptedStore.open(s3, settings.formats(), new S3RequestMeters(meters.registry()));
      StoreMeters.bind(store, meters.registry());
      warmUp(store);
      UserKeys keys = UserKeys.builder(keyService, cache, store.keyRecords(), keyRecordIo).build();
      sweepStaleUploads(settings, store);
      if (settings.scan() != null) {
        scanning = UploadScanning.start(settings.scan());
      }
      ftp =
          FtpGateway.start(
              settings.ftp(),
              store,
              keys,
              authenticator,
              scanning,
              audit.events(),
              meters.registry());
      AdminEndpoint admin =
          AdminEndpoint.start(settings.admin(), meters, ftp, store, keyService, closed);
      LOG.info(
          "Dropzone started: FTP on {}:{}, store {}, key service {}",
          settings.ftp().bind(),
          ftp.port(),
          s3,
          keyService.masterKeyId());
      return new GatewayRuntime(
          meters, keyRecordIo, opened, store, scanning, audit, ftp, admin, closed);
    } catch (IOException | KeyServiceException | RuntimeException e) {
      if (ftp != null) {
        ftp.close();
      }
      scanning.close();
      if (audit != null) {
        audit.close();
      }
      if (store != null) {
        store.close();
      }
      if (opened != null) {
        opened.close();
      }
      keyRecordIo.shutdownNow();
      meters.close();
      throw e;
    }
  }

  /**
   * The eaas provider's v1 keys are bound to nothing: says what serving v1 means there, and that v1
   * files are not served when that default holds (a deployment that still has some sees why).
   */
  private static void warnOfUnboundV1Keys(GatewaySettings settings) {
    if (!(settings.keyProvider() instanceof KeyProvider.Eaas)) {
      return;
    }
    if (settings.formats().acceptFormatV1()) {
      LOG.warn(
          "keys.acceptFormatV1 is on with the eaas provider, whose format v1 keys carry no"
              + " binding: whoever can write to the bucket and log in can relabel any file, format"
              + " v2 included, as a v1 file of their own home and read it. Have v1 files uploaded"
              + " again (or see dropzone keys upgrade --help), then set keys.acceptFormatV1:"
              + " false (the default for eaas)");
    } else {
      LOG.info(
          "Format v1 files are not served: keys.acceptFormatV1 is off, the default with the eaas"
              + " provider, whose v1 keys are bound to nothing");
    }
  }

  /** Runs {@link EncryptedStore#warmUp} before the first client, saying how it went. */
  private static void warmUp(EncryptedStore store) {
    long start = System.nanoTime();
    Optional<String> problem = store.warmUp(WARM_UP_TIME);
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (problem.isPresent()) {
      LOG.warn(
          "S3 did not answer the start-up requests within {} ms: {}. Starting anyway; /readyz"
              + " reports S3 as unavailable until it answers",
          millis,
          problem.get());
    } else {
      LOG.info("S3 answered the start-up requests in {} ms", millis);
    }
  }

  /**
   * Starts the background sweep of stale uploads; it never blocks the start (see {@link
   * EncryptedStore#sweepStaleUploads}). With an empty prefix it sweeps only below the roots of
   * users' homes: the file backend's default {@code users} and the PAM and LDAP home prefixes.
   */
  private static void sweepStaleUploads(GatewaySettings settings, EncryptedStore store) {
    if (settings.staleUploadAge().isZero()) {
      LOG.info("Stale upload sweep is off (uploads.staleUploadAge = 0)");
      return;
    }
    Set<String> homeRoots = new LinkedHashSet<>();
    homeRoots.add(defaultHomeRoot());
    if (settings.auth().pam() != null) {
      homeRoots.add(settings.auth().pam().homePrefix());
    }
    if (settings.auth().ldap() != null) {
      homeRoots.add(settings.auth().ldap().homePrefix());
    }
    store.sweepStaleUploads(settings.staleUploadAge(), settings.sweepInterval(), homeRoots);
  }

  /** The directory the default homes ({@link Account#defaultHome}) are made in. */
  private static String defaultHomeRoot() {
    try {
      return VirtualPath.of(Account.defaultHome("someone")).parent().relative();
    } catch (StoreException e) {
      throw new IllegalStateException("the default home is not a valid path", e);
    }
  }

  /** The gateway's meters, for the admin endpoint and for tests. */
  public GatewayMeters meters() {
    return meters;
  }

  /** The admin endpoint's port, or -1 when it is off. */
  public int adminPort() {
    return admin.port();
  }

  /** The admin endpoint's URL, or empty when it is off. */
  public Optional<String> adminUrl() {
    return admin.url();
  }

  /** The FTP control port actually bound. */
  public int ftpPort() {
    return ftp.port();
  }

  /** The implicit FTPS port, or -1 when it is off. */
  public int implicitTlsPort() {
    return ftp.implicitTlsPort();
  }

  /** Blocks until {@link #close()} has finished (from a shutdown hook, for example). */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** Graceful stop; safe to call more than once and from several threads. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("Stopping: no new connections; running transfers may finish");
    // Until the FTP server has stopped, the admin endpoint stays up and answers 503 to probes, so
    // load balancers take this instance out while its transfers finish.
    try {
      ftp.close();
    } catch (RuntimeException e) {
      LOG.warn("FTP server did not stop cleanly: {}", e.toString());
    }
    admin.close();
    scanning.close();
    audit.close();
    try {
      store.close();
    } catch (RuntimeException e) {
      LOG.warn("Store did not close cleanly: {}", e.toString());
    }
    if (userSources != null) {
      userSources.close();
    }
    keyRecordIo.shutdown();
    try {
      if (!keyRecordIo.awaitTermination(5, TimeUnit.SECONDS)) {
        keyRecordIo.shutdownNow();
      }
    } catch (InterruptedException e) {
      keyRecordIo.shutdownNow();
      Thread.currentThread().interrupt();
    }
    keyService.close();
    meters.close();
    LOG.info("Stopped");
    stopped.countDown();
  }

  private static ThreadFactory daemon() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "dz-key-records-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
