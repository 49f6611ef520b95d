package dev.dropzone.store.transfer;

import dev.dropzone.store.s3.StoredVersion;
import java.time.Instant;

/** Told of each object an upload stored, with the modification time the object records. */
@FunctionalInterface
public interface CommitListener {

  CommitListener NONE = (key, version, recordedTime) -> {};

  void committed(String key, StoredVersion version, Instant recordedTime);
}
