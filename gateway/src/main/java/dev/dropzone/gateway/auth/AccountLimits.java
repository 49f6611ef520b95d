package dev.dropzone.gateway.auth;

/**
 * What a user may consume. Zero means no limit for each value.
 *
 * @param maxSessions logged-in FTP sessions the user may hold at once
 * @param quotaBytes plaintext bytes the user's home may hold
 * @param quotaFiles files the user's home may hold
 */
public record AccountLimits(int maxSessions, long quotaBytes, long quotaFiles) {

  /** No limits at all. */
  public static final AccountLimits NONE = new AccountLimits(0, 0, 0);

  public AccountLimits {
    if (maxSessions < 0 || quotaBytes < 0 || quotaFiles < 0) {
      throw new IllegalArgumentException(
          "limits must be 0 (none) or positive: sessions "
              + maxSessions
              + ", bytes "
              + quotaBytes
              + ", files "
              + quotaFiles);
    }
  }

  public boolean hasQuota() {
    return quotaBytes > 0 || quotaFiles > 0;
  }
}
