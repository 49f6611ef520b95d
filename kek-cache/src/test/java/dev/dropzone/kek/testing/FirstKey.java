package dev.dropzone.kek.testing;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A user's first key (home {@code users/<user>}), made through {@link UserKeys} on a key service,
 * and the same key read back through a fresh cache, as another replica would: the path every
 * provider must carry.
 */
public record FirstKey(UserKey key, StreamingAead reread) {

  public static FirstKey of(KeyService service, KeyRecordStore records, String user)
      throws Exception {
    UserKeys keys =
        UserKeys.builder(
                service, DataKeyCache.builder(service).build(), records, ForkJoinPool.commonPool())
            .build();
    KeyOwner owner = new KeyOwner(user, "users/" + user);
    UserKey key = keys.forWriting(owner).get(10, TimeUnit.SECONDS);
    StreamingAead reread =
        DataKeyCache.builder(service)
            .build()
            .get(key.wrapped(), owner.binding())
            .get(10, TimeUnit.SECONDS)
            .streamingAead();
    return new FirstKey(key, reread);
  }

  public static FirstKey of(KeyService service, String user) throws Exception {
    return of(service, new InMemoryKeyRecordStore(), user);
  }
}
