package dev.dropzone.gateway.ftp.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Failed-login accounting: a per-address ban after repeated failures, and a per-name back-off that
 * slows guessing one user's password from many addresses. Both are consulted before any password is
 * checked.
 *
 * <p>An "address" is what {@link Settings#networks} counts as one client: an IPv6 address's whole
 * network, by default a /64, so that a host cannot escape its ban by moving to the next address of
 * its own network, nor flush the tables with them.
 *
 * <p>Every table is bounded in size ({@link #MAX_TRACKED} entries; the least used are forgotten
 * first) and in age (an entry is dropped once its failures no longer count), so spraying addresses
 * or names costs the gateway bounded memory.
 *
 * <ul>
 *   <li>An address is banned for {@code banDuration} once {@code maxFailuresPerAddress} of its
 *       logins failed within {@code banDuration}. A successful login forgets that address's earlier
 *       failures for the same name only, so logging in to one account does not buy new guesses at
 *       others.
 *   <li>A name whose logins failed {@code maxFailuresPerName} times (from any addresses, each
 *       within {@code banDuration} of the one before) pauses: attempts for it are refused unchecked
 *       for a pause that starts at {@link #FIRST_PAUSE} and doubles with every further failure, up
 *       to {@code banDuration}. Addresses from which the user logged in during the last {@link
 *       #KNOWN_FOR} are exempt, so an attacker who knows a user's name cannot lock out that user's
 *       regular clients.
 * </ul>
 *
 * Thread-safe.
 */
public final class LoginThrottle {

  /** Entries each table keeps at most. */
  public static final int MAX_TRACKED = 20_000;

  /** The first pause of a name after too many failures. */
  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);

  /** How long an address stays exempt from a name's pause after that user logged in from it. */
  static final Duration KNOWN_FOR = Duration.ofDays(7);

  /** What an attempt may do. */
  public enum Verdict {
    /** Check the password. */
    CHECK,
    /** The address is banned: refuse and close. */
    ADDRESS_BANNED,
    /** The name is paused after too many failures: refuse without checking. */
    NAME_PAUSED
  }

  /**
   * @param maxFailuresPerAddress failed logins from one address before it is banned
   * @param maxFailuresPerName failed logins for one name before it pauses
   * @param banDuration how long a ban lasts, and how long failures are remembered
   * @param networks what counts as one address: a ban of an IPv6 client covers its network
   */
  public record Settings(
      int maxFailuresPerAddress,
      int maxFailuresPerName,
      Duration banDuration,
      ClientNetworks networks) {

    /** Settings that count IPv6 clients per {@link ClientNetworks#DEFAULT} network. */
    public Settings(int maxFailuresPerAddress, int maxFailuresPerName, Duration banDuration) {
      this(maxFailuresPerAddress, maxFailuresPerName, banDuration, ClientNetworks.DEFAULT);
    }

    public Settings {
      Objects.requireNonNull(networks, "networks");
      if (maxFailuresPerAddress < 1 || maxFailuresPerName < 1) {
        throw new IllegalArgumentException("failure limits must be at least 1: " + this);
      }
      if (banDuration.isNegative() || banDuration.isZero()) {
        throw new IllegalArgumentException("ban duration must be positive: " + banDuration);
      }
    }
  }

  /** The failures of one address: when each happened and for which name. */
  private record AddressFailures(long[] times, NameKey[] names) {
    static final AddressFailures NONE = new AddressFailures(new long[0], new NameKey[0]);

    int count() {
      return times.length;
    }

    AddressFailures since(long oldest) {
      int keep = 0;
      while (keep < times.length && times[times.length - 1 - keep] - oldest >= 0) {
        keep++;
      }
      int from = times.length - keep;
      return new AddressFailures(
          Arrays.copyOfRange(times, from, times.length),
          Arrays.copyOfRange(names, from, names.length));
    }

    AddressFailures plus(long time, NameKey name) {
      long[] t = Arrays.copyOf(times, times.length + 1);
      NameKey[] n = Arrays.copyOf(names, names.length + 1);
      t[times.length] = time;
      n[names.length] = name;
      return new AddressFailures(t, n);
    }

    AddressFailures without(NameKey name) {
      int keep = 0;
      long[] t = new long[times.length];
      NameKey[] n = new NameKey[names.length];
      for (int i = 0; i < times.length; i++) {
        if (!names[i].equals(name)) {
          t[keep] = times[i];
          n[keep++] = names[i];
        }
      }
      return keep == 0 ? null : new AddressFailures(Arrays.copyOf(t, keep), Arrays.copyOf(n, keep));
    }
  }

  private record NameFailures(int count, long pausedUntil) {}

  /**
   * A fixed-size stand-in for a login name (case-folded, as directories compare names), so names of
   * any length cost the same memory.
   */
  private record NameKey(long high, long low) {

    /** One digest per thread: looking one up costs more than hashing a name with it. */
    private static final ThreadLocal<MessageDigest> SHA256 =
        ThreadLocal.withInitial(
            () -> {
              try {
                return MessageDigest.getInstance("SHA-256");
              } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
              }
            });

    static NameKey of(String name) {
      // digest() resets the digest for the next name.
      byte[] digest =
          SHA256.get().digest(name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      ByteBuffer bytes = ByteBuffer.wrap(digest);
      return new NameKey(bytes.getLong(), bytes.getLong());
    }
  }

  private record KnownLogin(InetAddress address, NameKey name) {}

  private final Settings settings;
  private final Ticker ticker;
  private final long windowNanos;
  private final Cache<InetAddress, AddressFailures> failures;
  private final Cache<InetAddress, Long> bannedUntil;
  private final Cache<NameKey, NameFailures> names;
  private final Cache<KnownLogin, Boolean> known;

  public LoginThrottle(Settings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
    this.windowNanos = settings.banDuration().toNanos();
    this.failures = table(settings.banDuration());
    this.bannedUntil = table(settings.banDuration());
    this.names = table(settings.banDuration());
    this.known = table(KNOWN_FOR);
  }

  private <K, V> Cache<K, V> table(Duration lifetime) {
    return Caffeine.newBuilder()
        .maximumSize(MAX_TRACKED)
        .expireAfterWrite(lifetime)
        .ticker(ticker)
        // Maintenance on the calling thread: no pool thread, and tests see evictions at once.
        .executor(Runnable::run)
        .build();
  }

  /** What this throttle counts as one address. */
  public ClientNetworks networks() {
    return settings.networks();
  }

  /** True while {@code client}'s address is banned. */
  public boolean banned(InetAddress client) {
    return networkBanned(settings.networks().of(client));
  }

  private boolean networkBanned(InetAddress counted) {
    Long until = bannedUntil.getIfPresent(counted);
    return until != null && ticker.read() - until < 0;
  }

  /** Whether a login of {@code name} from {@code client} may have its password checked now. */
  public Verdict verdict(InetAddress client, String name) {
    InetAddress address = settings.networks().of(client);
    if (networkBanned(address)) {
      return Verdict.ADDRESS_BANNED;
    }
    NameKey key = NameKey.of(name);
    NameFailures failed = names.getIfPresent(key);
    if (failed != null
        && ticker.read() - failed.pausedUntil() < 0
        && known.getIfPresent(new KnownLogin(address, key)) == null) {
      return Verdict.NAME_PAUSED;
    }
    return Verdict.CHECK;
  }

  /**
   * Records a failed login of {@code name} from {@code client}.
   *
   * @param checked whether a password was checked and refused; attempts refused unchecked (a paused
   *     name) count towards the address's ban but do not lengthen the name's pause
   * @return true when this failure got the address banned
   */
  public boolean failed(InetAddress client, String name, boolean checked) {
    InetAddress address = settings.networks().of(client);
    long now = ticker.read();
    NameKey key = NameKey.of(name);
    if (checked) {
      names
          .asMap()
          .compute(
              key,
              (k, earlier) -> {
                int count = earlier == null ? 1 : earlier.count() + 1;
                return new NameFailures(count, now + pauseNanos(count));
              });
    }
    AddressFailures recent =
        failures
            .asMap()
            .compute(
                address,
                (a, earlier) ->
                    (earlier == null ? AddressFailures.NONE : earlier.since(now - windowNanos))
                        .plus(now, key));
    if (recent.count() < settings.maxFailuresPerAddress()) {
      return false;
    }
    failures.invalidate(address);
    bannedUntil.put(address, now + windowNanos);
    return true;
  }

  /** 0 below the limit, then the first pause doubling with each failure, capped at the window. */
  private long pauseNanos(int count) {
    int over = count - settings.maxFailuresPerName();
    if (over < 0) {
      return 0;
    }
    long first = FIRST_PAUSE.toNanos();
    return over >= 62 || first > windowNanos >> over ? windowNanos : first << over;
  }

  /**
   * Records a successful login: forgets the failures of {@code client}'s address for this name (not
   * for others) and exempts the address from this name's pauses for {@link #KNOWN_FOR}.
   */
  public void succeeded(InetAddress client, String name) {
    InetAddress address = settings.networks().of(client);
    NameKey key = NameKey.of(name);
    failures.asMap().computeIfPresent(address, (a, earlier) -> earlier.without(key));
    known.put(new KnownLogin(address, key), Boolean.TRUE);
  }

  public Duration banDuration() {
    return settings.banDuration();
  }

  /**
   * Entries held in the address, ban and name tables once every expired one is dropped (Caffeine
   * drops them in batches as the tables are used), for tests of the bounds.
   */
  long tracked() {
    long before;
    long after = Long.MAX_VALUE;
    do {
      before = after;
      failures.cleanUp();
      bannedUntil.cleanUp();
      names.cleanUp();
      after = failures.estimatedSize() + bannedUntil.estimatedSize() + names.estimatedSize();
    } while (after < before);
    return after;
  }
}
