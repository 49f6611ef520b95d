package dev.dropzone.gateway.ftp.quota;

import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.logging.LogText;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room one upload has under its user's quota. A file that does not fit in the file count is
 * refused before any data moves; bytes are counted as they arrive and the upload fails with {@link
 * Reason#QUOTA} the moment it would cross the byte limit, so the caller aborts it and nothing is
 * stored.
 */
public final class UploadQuota {

  private static final Logger LOG = LoggerFactory.getLogger(UploadQuota.class);

  private static final UploadQuota UNLIMITED = new UploadQuota(null, Long.MAX_VALUE, 0, 0, false);

  private final String user;
  private final long room;
  private final long limit;
  private final long used;

  /** Whether refusals keep quiet about what the home holds (see {@link #checkBlind}). */
  private final boolean blind;

  private UploadQuota(String user, long room, long limit, long used, boolean blind) {
    this.user = user;
    this.room = room;
    this.limit = limit;
    this.used = used;
    this.blind = blind;
  }

  /**
   * Measures the user's home (see {@link Usage}) for an upload to {@code path} that keeps the first
   * {@code offset} bytes of the existing file.
   *
   * @throws StoreException QUOTA when the home is already full (bytes or files)
   */
  public static UploadQuota check(
      String user, AccountLimits limits, FileTree tree, VirtualPath path, long offset)
      throws IOException {
    if (!limits.hasQuota()) {
      return UNLIMITED;
    }
    boolean replacing = exists(tree, path);
    Usage usage = Usage.of(tree, path);
    if (limits.quotaFiles() > 0 && !replacing && usage.files() >= limits.quotaFiles()) {
      throw new StoreException(
          Reason.QUOTA,
          "Quota exceeded: "
              + user
              + " may keep at most "
              + limits.quotaFiles()
              + " files and has "
              + usage.files()
              + "; delete some first");
    }
    if (limits.quotaBytes() == 0) {
      return UNLIMITED;
    }
    long room = limits.quotaBytes() - usage.bytes() - offset;
    if (room < 0) {
      throw exceeded(user, limits.quotaBytes(), usage.bytes() + offset);
    }
    return new UploadQuota(user, room, limits.quotaBytes(), usage.bytes() + offset, false);
  }

  /**
   * The quota of an upload by one who may not list: whatever the name holds now, the upload is
   * counted as a new file on top of the whole home, and refusals name only the limits. What a
   * refusal said, or where in an upload it came, would otherwise tell whether the name exists and
   * how large it is. The totals go to the log.
   *
   * @throws StoreException QUOTA when the home is already full (bytes or files)
   */
  public static UploadQuota checkBlind(String user, AccountLimits limits, FileTree tree)
      throws IOException {
    if (!limits.hasQuota()) {
      return UNLIMITED;
    }
    Usage usage = Usage.of(tree, null);
    boolean noFileRoom = limits.quotaFiles() > 0 && usage.files() >= limits.quotaFiles();
    if (noFileRoom || (limits.quotaBytes() > 0 && usage.bytes() >= limits.quotaBytes())) {
      LOG.info(
          "Upload by {} refused: the home holds {} bytes in {} files (quota {} bytes, {} files)",
          LogText.of(user),
          usage.bytes(),
          usage.files(),
          limits.quotaBytes(),
          limits.quotaFiles());
      throw blindlyExceeded(
          user, noFileRoom ? limits.quotaFiles() + " files" : limits.quotaBytes() + " bytes");
    }
    if (limits.quotaBytes() == 0) {
      return UNLIMITED;
    }
    return new UploadQuota(
        user, limits.quotaBytes() - usage.bytes(), limits.quotaBytes(), usage.bytes(), true);
  }

  /** {@code upload} limited to the room left; writing past it fails with QUOTA. */
  public OutputStream limit(OutputStream upload) {
    if (this == UNLIMITED) {
      return upload;
    }
    return new FilterOutputStream(upload) {
      private long written;

      @Override
      public void write(int b) throws IOException {
        reserve(1);
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        reserve(len);
        out.write(b, off, len);
      }

      private void reserve(int len) throws StoreException {
        if (written + len > room) {
          if (blind) {
            LOG.info(
                "Upload by {} stopped at the quota: the home held {} bytes, limit {}",
                LogText.of(user),
                used,
                limit);
            throw blindlyExceeded(user, limit + " bytes");
          }
          throw exceeded(user, limit, used + written + len);
        }
        written += len;
      }
    };
  }

  private static StoreException exceeded(String user, long limit, long wanted) {
    return quotaExceeded(user, limit + " bytes, this upload would make it at least " + wanted);
  }

  private static StoreException blindlyExceeded(String user, String limit) {
    return quotaExceeded(user, limit + ", and this upload does not fit");
  }

  private static StoreException quotaExceeded(String user, String limits) {
    return new StoreException(
        Reason.QUOTA, "Quota exceeded: " + user + " may store " + limits + "; nothing was stored");
  }

  private static boolean exists(FileTree tree, VirtualPath path) throws IOException {
    return tree.lookup(path).map(info -> !info.directory()).orElse(false);
  }
}
