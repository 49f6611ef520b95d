package dev.dropzone.store.transfer;

import dev.dropzone.store.s3.StoredVersion;
import java.time.Instant;
import java.util.Map;

/** Told of each object an upload stored. */
@FunctionalInterface
public interface CommitListener {

  CommitListener NONE = committed -> {};

  void committed(Committed committed);

  /**
   * An object as an upload stored it: what a HEAD of it would find, known without one.
   *
   * @param key the object's full key
   * @param version the version the write's response named
   * @param recordedTime the modification time it records
   * @param size its length in storage (the ciphertext's)
   * @param metadata its user metadata
   * @param contentType its content type
   */
  record Committed(
      String key,
      StoredVersion version,
      Instant recordedTime,
      long size,
      Map<String, String> metadata,
      String contentType) {}
}
