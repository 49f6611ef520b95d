package dev.dropzone.store;

import dev.dropzone.kek.CipherWarmUp;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.store.s3.BucketAccessCheck;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.s3.StorageDeadline;
import dev.dropzone.store.transfer.ObjectTransfers;
import dev.dropzone.store.transfer.SessionKeys;
import dev.dropzone.store.transfer.UploadHousekeeping;
import dev.dropzone.store.transfer.UploadSweeper;
import dev.dropzone.store.tree.DeadlineTree;
import dev.dropzone.store.tree.S3FileTree;
import dev.dropzone.store.tree.TreeRequests;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The encrypted object store over one bucket and prefix: hands out per-user trees, keeps key
 * records, and sweeps abandoned uploads in the background. Thread-safe; one per process.
 */
public final class EncryptedStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EncryptedStore.class);

  private final S3Settings settings;
  private final S3Client s3;
  private final ObjectTransfers transfers;
  private final S3KeyRecords keyRecords;
  private final TreeRequests treeRequests;

  /** Keys of the homes trees were handed out for, each ending in '/'. */
  private final Set<String> homesInUse = ConcurrentHashMap.newKeySet();

  private UploadHousekeeping housekeeping;

  private EncryptedStore(S3Settings settings, FormatPolicy policy, S3Client s3) {
    this.settings = settings;
    this.s3 = s3;
    this.transfers = new ObjectTransfers(s3, settings, policy, Clock.systemUTC());
    this.treeRequests = new TreeRequests(settings.maxConnections());
    this.keyRecords = new S3KeyRecords(s3, settings);
  }

  /**
   * Opens the store. Also warms up AES-GCM ({@link CipherWarmUp}), so the first transfers run at
   * full speed instead of in interpreted crypto.
   */
  public static EncryptedStore open(S3Settings settings) {
    return open(settings, FormatPolicy.DEFAULT);
  }

  /** Opens the store, serving the object formats {@code policy} allows. */
  public static EncryptedStore open(S3Settings settings, FormatPolicy policy) {
    return open(settings, policy, new ExecutionInterceptor[0]);
  }

  /**
   * Opens the store with {@code observers} in its S3 client's pipeline, after its own interceptors
   * (for tests that count the requests an operation costs).
   */
  public static EncryptedStore open(
      S3Settings settings, FormatPolicy policy, ExecutionInterceptor... observers) {
    warmUpCiphers();
    return new EncryptedStore(settings, policy, S3Clients.builder(settings, observers).build());
  }

  /**
   * Opens the store, serving the object formats {@code policy} allows, with every S3 call's SDK
   * metrics (operation, success, duration, attempts) published to {@code metrics}; the store itself
   * depends on no metrics library.
   */
  public static EncryptedStore open(
      S3Settings settings, FormatPolicy policy, MetricPublisher metrics) {
    warmUpCiphers();
    return new EncryptedStore(settings, policy, S3Clients.create(settings, metrics));
  }

  private static void warmUpCiphers() {
    try {
      LOG.debug("AES-GCM warmed up in {} ms", CipherWarmUp.run());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot do AES-GCM, which every transfer needs", e);
    }
  }

  public S3Settings settings() {
    return settings;
  }

  /** Where user keys are recorded: {@code <prefix>/.dropzone/keys/<user>.json}. */
  public KeyRecordStore keyRecords() {
    return keyRecords;
  }

  /**
   * The tree of {@code user}, rooted at {@code home} (e.g. {@code users/alice}) under the prefix.
   *
   * @throws StoreException INVALID_PATH when {@code home} is not a valid relative path
   */
  public FileTree tree(String user, String home, DataKeys keys) throws StoreException {
    KeyOwner owner = owner(user, home);
    String homeKey = settings.key(owner.domain());
    homesInUse.add(homeKey + "/");
    return new DeadlineTree(
        new S3FileTree(
            s3, settings, homeKey, new SessionKeys(owner, keys), transfers, treeRequests),
        settings.commandDeadline());
  }

  /**
   * Whose keys a session of {@code user} with {@code home} uses: the user, and the home as a
   * normalised relative key path ({@code users/alice}), which is the session's key domain.
   *
   * @throws StoreException INVALID_PATH when {@code home} is not a valid relative path
   */
  public static KeyOwner owner(String user, String home) throws StoreException {
    VirtualPath homePath = VirtualPath.of(home);
    if (homePath.isRoot()) {
      throw new StoreException(
          StoreException.Reason.INVALID_PATH, "home of user " + user + " must not be empty");
    }
    return new KeyOwner(user, homePath.relative());
  }

  /**
   * What takes the store's key names out of messages for {@code home}'s user (see {@link
   * KeyRedaction}).
   *
   * @throws StoreException INVALID_PATH when {@code home} is not a valid relative path
   */
  public KeyRedaction redaction(String home) throws StoreException {
    return new KeyRedaction(settings.key(VirtualPath.of(home).relative()), settings.prefix());
  }

  /**
   * Whether S3 answers the store's client with the configured credentials right now (see {@link
   * BucketAccessCheck#reach}), within {@code deadline} retries included.
   *
   * @return what is wrong, or empty when S3 answered
   */
  public Optional<String> reachability(Duration deadline) {
    try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
      return new BucketAccessCheck(settings).reach(s3);
    }
  }

  /**
   * Makes the read-only requests a first session makes ({@link StoreWarmUp}), so that the first
   * client after a start does not wait while the S3 client's code is loaded and compiled. Call it
   * once, before taking clients; it never throws.
   *
   * @param within how long it may take, retries included
   * @return what stopped it, or empty when S3 answered every request
   */
  public Optional<String> warmUp(Duration within) {
    return new StoreWarmUp(s3, settings, keyRecords).run(within);
  }

  /** How much memory the part buffers of all uploads need now and have needed so far. */
  public PartBufferUse partBufferUse() {
    return transfers.partBufferUse();
  }

  /** Multipart uploads started and not yet completed or aborted. */
  public int multipartUploadsInFlight() {
    return transfers.multipartUploadsInFlight();
  }

  /**
   * Starts aborting stale multipart uploads in the background (see {@link UploadHousekeeping}):
   * everything under the prefix, or, with an empty prefix (where the bucket may hold other data),
   * only under {@code homeRoots} (such as {@code users}) and the homes of users who logged in since
   * the start. Returns at once; {@link #close()} stops it.
   *
   * @param staleAge uploads at least this old are aborted
   * @param interval the mean time between sweeps
   */
  public synchronized void sweepStaleUploads(
      Duration staleAge, Duration interval, Collection<String> homeRoots) {
    if (housekeeping != null) {
      throw new IllegalStateException("already sweeping");
    }
    List<String> roots =
        homeRoots.stream()
            .map(root -> root.replaceAll("^/+|/+$", ""))
            .filter(root -> !root.isEmpty())
            .map(root -> root + "/")
            .toList();
    housekeeping =
        UploadHousekeeping.start(
            new UploadSweeper(s3, settings.bucket()), () -> sweepScope(roots), staleAge, interval);
  }

  /** The key prefixes whose multipart uploads Dropzone may abort, none inside another. */
  private Collection<String> sweepScope(List<String> homeRoots) {
    if (!settings.prefix().isEmpty()) {
      return List.of(settings.prefix() + "/");
    }
    TreeSet<String> candidates = new TreeSet<>(homeRoots);
    candidates.addAll(homesInUse);
    List<String> scope = new ArrayList<>();
    for (String prefix : candidates) {
      // Sorted, so a prefix comes right before the ones it contains.
      if (scope.isEmpty() || !prefix.startsWith(scope.get(scope.size() - 1))) {
        scope.add(prefix);
      }
    }
    return scope;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (housekeeping != null) {
        housekeeping.close();
      }
    }
    treeRequests.close();
    transfers.close();
    s3.close();
  }
}
