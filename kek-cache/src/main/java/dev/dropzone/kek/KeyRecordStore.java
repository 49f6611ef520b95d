package dev.dropzone.kek;

import java.io.IOException;
import java.util.Optional;

/**
 * Where key records live. The storage layer implements it, so several gateway replicas that share a
 * bucket also share each user's key.
 */
public interface KeyRecordStore {

  Optional<KeyRecord> read(String user) throws IOException;

  /**
   * Stores {@code record} unless the user already has one.
   *
   * @return false when another writer got there first; the caller then reads the winner's record
   */
  boolean createIfAbsent(KeyRecord record) throws IOException;

  /** Replaces the user's record unconditionally (key rotation). */
  void replace(KeyRecord record) throws IOException;
}
