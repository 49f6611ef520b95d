package dev.dropzone.kek.format;

import java.time.Instant;
import java.util.Objects;

/**
 * What the MAC of a v2 key record covers: whose key it is, the domain it is wrapped for, its epoch
 * and creation time. Not the wrapped key itself, so a rewrap under a new master key version keeps
 * the MAC valid without needing the data key.
 */
public record RecordFields(String user, String domain, long epoch, Instant created) {

  public RecordFields {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(created, "created");
  }

  /** {@code lp(user) ‖ lp(domain) ‖ u64be(epoch) ‖ u64be(created, ms since the epoch)}. */
  byte[] tagInput() {
    return new TagInput()
        .text(user)
        .text(domain)
        .number(epoch)
        .number(created.toEpochMilli())
        .toByteArray();
  }
}
