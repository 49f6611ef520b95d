package dev.dropzone.kek.kms;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Which KMS key a wrapped key may be decrypted with: the configured key, or one of the retired keys
 * listed by id or ARN. The key named to KMS comes from this list, never from the wrapped key's
 * reference: the reference is object metadata that whoever can write to the bucket can change, and
 * a Decrypt naming a key of theirs would unwrap a data key of theirs.
 *
 * <p>When the configured key is an alias, the ARN it stands for is learned from Encrypt replies
 * and, when a reference names an ARN not yet seen, from DescribeKey, at most once per {@link
 * #REFRESH}: an alias moved to another key is followed, and a stream of altered references does not
 * become a stream of KMS calls.
 */
final class DecryptionKeys {

  static final Duration REFRESH = Duration.ofMinutes(1);

  private final String configured;
  private final List<String> retired;
  private final LongSupplier nanoClock;
  private volatile String aliasArn;
  private long describedAt;
  private boolean described;

  DecryptionKeys(String configured, List<String> retired, LongSupplier nanoClock) {
    this.configured = configured;
    this.retired = List.copyOf(retired);
    this.nanoClock = nanoClock;
  }

  /**
   * The key id to name in Decrypt for a key that KMS wrapped with the key {@code arn}, or empty if
   * neither the configured key nor a retired one is that key.
   *
   * @param describe asks KMS which ARN the configured alias stands for; may throw a {@link
   *     java.util.concurrent.CompletionException} carrying the KMS failure
   */
  Optional<String> keyIdFor(String arn, Supplier<String> describe) {
    if (KeyIds.names(configured, arn) || arn.equals(aliasArn)) {
      return Optional.of(configured);
    }
    for (String key : retired) {
      if (KeyIds.names(key, arn)) {
        return Optional.of(key);
      }
    }
    if (KeyIds.isAlias(configured) && aliasNowNames(arn, describe)) {
      return Optional.of(configured);
    }
    return Optional.empty();
  }

  /** Records the key ARN an Encrypt with the configured key reported: as good as a DescribeKey. */
  synchronized void encryptedWith(String arn) {
    if (KeyIds.isAlias(configured)) {
      aliasArn = arn;
      described = true;
      describedAt = nanoClock.getAsLong();
    }
  }

  /**
   * Asks KMS what the alias stands for unless it was asked within {@link #REFRESH}; callers wait
   * for one answer instead of asking together.
   */
  private synchronized boolean aliasNowNames(String arn, Supplier<String> describe) {
    if (arn.equals(aliasArn)) {
      return true;
    }
    long now = nanoClock.getAsLong();
    if (described && now - describedAt < REFRESH.toNanos()) {
      return false;
    }
    aliasArn = describe.get();
    described = true;
    describedAt = now;
    return arn.equals(aliasArn);
  }

  /** The keys that may decrypt, for messages: names, not secrets. */
  String describeAllowed() {
    String arn = aliasArn;
    return "the configured key '"
        + configured
        + "'"
        + (arn == null || arn.equals(configured) ? "" : " (" + arn + ")")
        + (retired.isEmpty() ? "" : " or a retired key " + retired);
  }
}
