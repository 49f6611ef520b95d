package dev.dropzone.store;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the store keeps its objects and how it talks to S3.
 *
 * @param endpoint S3 endpoint; null for AWS's regional default
 * @param region signing region
 * @param accessKeyId static credentials; null to use the AWS default credential chain
 * @param secretAccessKey static credentials; null with {@code accessKeyId}
 * @param bucket the bucket, which must exist
 * @param prefix key prefix for everything Dropzone writes, without leading or trailing slash; may
 *     be empty
 * @param pathStyle path-style addressing (needed by most S3-compatible servers)
 * @param partSize first multipart part size in bytes (≥ 5 MiB); grows for very large files
 * @param partsInFlight parts uploaded concurrently per upload; bounds memory per upload
 * @param maxConnections HTTP connection pool size shared by all transfers
 * @param partBufferBudget bytes of part buffers all uploads of the process may hold at once
 *     (uploads wait beyond it); at least one part, or {@link #DERIVED_PART_BUFFER_BUDGET} to derive
 *     it from the heap
 * @param copyMultipartAbove objects larger than this are copied (rename, rewrap) by UploadPartCopy
 *     instead of one CopyObject; at most 5 GiB, at least {@code copyPartSize}
 * @param copyPartSize bytes per UploadPartCopy, 5 MiB to 5 GiB
 * @param commandDeadline how long the S3 calls of one command may take together, retries included
 *     (see {@link dev.dropzone.store.s3.StorageDeadline}); data transfers are not bound by it
 * @param maxNameBytes the longest file or directory name (one path segment, UTF-8) a new file,
 *     directory or rename target may have; names already stored stay readable whatever their length
 */
public record S3Settings(
    URI endpoint,
    String region,
    String accessKeyId,
    String secretAccessKey,
    String bucket,
    String prefix,
    boolean pathStyle,
    int partSize,
    int partsInFlight,
    int maxConnections,
    long partBufferBudget,
    long copyMultipartAbove,
    long copyPartSize,
    Duration commandDeadline,
    int maxNameBytes) {

  public static final int MIN_PART_SIZE = 5 << 20;
  public static final long MAX_PART_SIZE = 5L << 30;

  /** CopyObject accepts objects up to 5 GiB on AWS; some S3-compatible servers cap it lower. */
  public static final long DEFAULT_COPY_MULTIPART_ABOVE = 5L << 30;

  /** 512 MiB copy parts keep a 5 TiB copy near 10,000 parts. */
  public static final long DEFAULT_COPY_PART_SIZE = 512L << 20;

  public static final int DEFAULT_PART_SIZE = 8 << 20;
  public static final int DEFAULT_PARTS_IN_FLIGHT = 4;
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  /** The part buffer budget is derived from the heap when the store starts. */
  public static final long DERIVED_PART_BUFFER_BUDGET = 0;

  /** Well under the minute after which clients and monitoring take a server for hung. */
  public static final Duration DEFAULT_COMMAND_DEADLINE = Duration.ofSeconds(20);

  /**
   * NAME_MAX of the file systems clients copy trees to and from, and the segment limit of
   * file-system-backed S3 servers (MinIO); S3 itself only limits the whole key.
   */
  public static final int DEFAULT_MAX_NAME_BYTES = 255;

  public S3Settings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    prefix = prefix == null ? "" : trimSlashes(prefix);
    if (bucket.isBlank()) {
      throw new IllegalArgumentException("bucket must not be empty");
    }
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("give both the access key id and the secret, or neither");
    }
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException(
          "part size " + partSize + " is below S3's minimum of " + MIN_PART_SIZE + " bytes");
    }
    if (partsInFlight < 1) {
      throw new IllegalArgumentException("parts in flight must be at least 1");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max connections must be at least 1");
    }
    if (partBufferBudget != DERIVED_PART_BUFFER_BUDGET && partBufferBudget < partSize) {
      throw new IllegalArgumentException(
          "part buffer budget " + partBufferBudget + " is below one part (" + partSize + " bytes)");
    }
    if (copyPartSize < MIN_PART_SIZE || copyPartSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException(
          "copy part size " + copyPartSize + " is outside S3's part size limits (5 MiB to 5 GiB)");
    }
    if (copyMultipartAbove < copyPartSize || copyMultipartAbove > MAX_PART_SIZE) {
      throw new IllegalArgumentException(
          "multipart copy threshold "
              + copyMultipartAbove
              + " must be between the copy part size ("
              + copyPartSize
              + ") and 5 GiB");
    }
    Objects.requireNonNull(commandDeadline, "commandDeadline");
    if (commandDeadline.isNegative() || commandDeadline.isZero()) {
      throw new IllegalArgumentException("command deadline must be longer than 0");
    }
    // A name is part of a key: no name can be longer than S3's key limit.
    if (maxNameBytes < 1 || maxNameBytes > VirtualPath.MAX_BYTES) {
      throw new IllegalArgumentException(
          "longest name "
              + maxNameBytes
              + " must be between 1 and "
              + VirtualPath.MAX_BYTES
              + " bytes");
    }
  }

  /** Settings with AWS's copy limits and the default command deadline. */
  public S3Settings(
      URI endpoint,
      String region,
      String accessKeyId,
      String secretAccessKey,
      String bucket,
      String prefix,
      boolean pathStyle,
      int partSize,
      int partsInFlight,
      int maxConnections,
      long partBufferBudget) {
    this(
        endpoint,
        region,
        accessKeyId,
        secretAccessKey,
        bucket,
        prefix,
        pathStyle,
        partSize,
        partsInFlight,
        maxConnections,
        partBufferBudget,
        DEFAULT_COPY_MULTIPART_ABOVE,
        DEFAULT_COPY_PART_SIZE,
        DEFAULT_COMMAND_DEADLINE,
        DEFAULT_MAX_NAME_BYTES);
  }

  /** Settings whose part buffer budget is derived from the heap. */
  public S3Settings(
      URI endpoint,
      String region,
      String accessKeyId,
      String secretAccessKey,
      String bucket,
      String prefix,
      boolean pathStyle,
      int partSize,
      int partsInFlight,
      int maxConnections) {
    this(
        endpoint,
        region,
        accessKeyId,
        secretAccessKey,
        bucket,
        prefix,
        pathStyle,
        partSize,
        partsInFlight,
        maxConnections,
        DERIVED_PART_BUFFER_BUDGET);
  }

  /** Settings with the default part size, concurrency and pool for the given location. */
  public static S3Settings of(
      URI endpoint,
      String region,
      String accessKeyId,
      String secretAccessKey,
      String bucket,
      String prefix) {
    return new S3Settings(
        endpoint,
        region,
        accessKeyId,
        secretAccessKey,
        bucket,
        prefix,
        true,
        DEFAULT_PART_SIZE,
        DEFAULT_PARTS_IN_FLIGHT,
        DEFAULT_MAX_CONNECTIONS);
  }

  public S3Settings withPartSize(int bytes) {
    Copy copy = new Copy(this);
    copy.partSize = bytes;
    return copy.build();
  }

  public S3Settings withPrefix(String newPrefix) {
    Copy copy = new Copy(this);
    copy.prefix = newPrefix;
    return copy.build();
  }

  /** These settings with a part buffer budget of {@code bytes} (or derived from the heap). */
  public S3Settings withPartBufferBudget(long bytes) {
    Copy copy = new Copy(this);
    copy.partBufferBudget = bytes;
    return copy.build();
  }

  /** These settings with other multipart-copy limits (for S3 servers that cap CopyObject lower). */
  public S3Settings withCopyLimits(long multipartAbove, long partSize) {
    Copy copy = new Copy(this);
    copy.copyMultipartAbove = multipartAbove;
    copy.copyPartSize = partSize;
    return copy.build();
  }

  /** These settings with another command deadline. */
  public S3Settings withCommandDeadline(Duration deadline) {
    Copy copy = new Copy(this);
    copy.commandDeadline = deadline;
    return copy.build();
  }

  /** These settings with another longest name for new files and directories. */
  public S3Settings withMaxNameBytes(int bytes) {
    Copy copy = new Copy(this);
    copy.maxNameBytes = bytes;
    return copy.build();
  }

  /**
   * The values of settings being copied with a change: each {@code with…} method sets what it
   * changes, and the canonical constructor checks the result like any other settings.
   */
  private static final class Copy {
    private URI endpoint;
    private String region;
    private String accessKeyId;
    private String secretAccessKey;
    private String bucket;
    private String prefix;
    private boolean pathStyle;
    private int partSize;
    private int partsInFlight;
    private int maxConnections;
    private long partBufferBudget;
    private long copyMultipartAbove;
    private long copyPartSize;
    private Duration commandDeadline;
    private int maxNameBytes;

    Copy(S3Settings from) {
      endpoint = from.endpoint;
      region = from.region;
      accessKeyId = from.accessKeyId;
      secretAccessKey = from.secretAccessKey;
      bucket = from.bucket;
      prefix = from.prefix;
      pathStyle = from.pathStyle;
      partSize = from.partSize;
      partsInFlight = from.partsInFlight;
      maxConnections = from.maxConnections;
      partBufferBudget = from.partBufferBudget;
      copyMultipartAbove = from.copyMultipartAbove;
      copyPartSize = from.copyPartSize;
      commandDeadline = from.commandDeadline;
      maxNameBytes = from.maxNameBytes;
    }

    S3Settings build() {
      return new S3Settings(
          endpoint,
          region,
          accessKeyId,
          secretAccessKey,
          bucket,
          prefix,
          pathStyle,
          partSize,
          partsInFlight,
          maxConnections,
          partBufferBudget,
          copyMultipartAbove,
          copyPartSize,
          commandDeadline,
          maxNameBytes);
    }
  }

  /** {@code prefix + "/" + rest}, or just {@code rest} when there is no prefix. */
  public String key(String rest) {
    return prefix.isEmpty() ? rest : prefix + "/" + rest;
  }

  private static String trimSlashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '/') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(start, end);
  }

  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpoint
        + ", region="
        + region
        + ", bucket="
        + bucket
        + ", prefix="
        + prefix
        + ", partSize="
        + partSize
        + ", partsInFlight="
        + partsInFlight
        + ", partBufferBudget="
        + (partBufferBudget == DERIVED_PART_BUFFER_BUDGET ? "derived" : partBufferBudget)
        + ", copyMultipartAbove="
        + copyMultipartAbove
        + ", copyPartSize="
        + copyPartSize
        + ", commandDeadline="
        + commandDeadline
        + ", maxNameBytes="
        + maxNameBytes
        + "]";
  }
}
