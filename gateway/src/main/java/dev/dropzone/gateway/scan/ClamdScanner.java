package dev.dropzone.gateway.scan;

import java.io.IOException;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * clamd over its {@code INSTREAM} protocol, with pooled session connections. A connection is
 * checked without a round trip before each use (clamd closes idle sessions after its {@code
 * ReadTimeout}) and dropped after {@link #IDLE_LIMIT} unused. The pool's size caps the uploads
 * scanned at once; beyond it an upload waits up to the connect timeout for a free connection.
 */
final class ClamdScanner implements Scanner {

  /** Well below clamd's default ReadTimeout (120 s), which ends idle sessions from its side. */
  static final Duration IDLE_LIMIT = Duration.ofSeconds(10);

  private final ClamdAddress address;
  private final int maxConnections;
  private final Duration connectTimeout;
  private final Duration verdictTimeout;
  private final Watchdog watchdog = new Watchdog();
  private final GenericObjectPool<ClamdConnection> pool;

  ClamdScanner(
      ClamdAddress address, int maxConnections, Duration connectTimeout, Duration verdictTimeout) {
    this.address = address;
    this.maxConnections = maxConnections;
    this.connectTimeout = connectTimeout;
    this.verdictTimeout = verdictTimeout;
    GenericObjectPoolConfig<ClamdConnection> config = new GenericObjectPoolConfig<>();
    config.setMaxTotal(maxConnections);
    config.setMaxIdle(maxConnections);
    config.setMaxWait(connectTimeout);
    config.setTestOnBorrow(true);
    // How broken connections leave: closed, then returned and dropped by the failed check. (The
    // pool's invalidateObject would open a replacement at once, even while clamd is down.)
    config.setTestOnReturn(true);
    config.setLifo(true);
    config.setMinEvictableIdleDuration(IDLE_LIMIT);
    config.setTimeBetweenEvictionRuns(IDLE_LIMIT.dividedBy(2));
    config.setNumTestsPerEvictionRun(maxConnections);
    config.setJmxEnabled(false);
    pool = new GenericObjectPool<>(new Connections(), config);
  }

  @Override
  public Scan begin() throws IOException {
    ClamdConnection connection = borrow();
    try {
      connection.startStream(verdictTimeout);
    } catch (IOException | RuntimeException e) {
      discard(connection);
      throw new IOException("clamd at " + address + " did not take a new scan: " + e, e);
    }
    return new ClamdScan(connection);
  }

  @Override
  public String describe() {
    return "clamd at " + address;
  }

  /** Connections open right now (idle and in use), for tests. */
  int openConnections() {
    return pool.getNumIdle() + pool.getNumActive();
  }

  private ClamdConnection borrow() throws IOException {
    try {
      return pool.borrowObject();
    } catch (NoSuchElementException e) {
      throw new IOException(
          "all "
              + maxConnections
              + " connections to clamd at "
              + address
              + " stayed busy for "
              + connectTimeout.toMillis()
              + " ms (raise scan.maxConnections, and clamd's MaxThreads and MaxQueue to match)",
          e);
    } catch (IOException e) {
      throw new IOException("clamd at " + address + " cannot be reached: " + e, e);
    } catch (Exception e) {
      throw new IOException("clamd at " + address + " cannot be used: " + e, e);
    }
  }

  private void discard(ClamdConnection connection) {
    try {
      connection.close();
    } catch (IOException e) {
      // Closed or not, the check on return drops it.
    }
    pool.returnObject(connection);
  }

  @Override
  public void close() {
    pool.close();
    watchdog.close();
  }

  /** The scan of one file on a borrowed connection; the connection goes back exactly once. */
  private final class ClamdScan implements Scan {

    private final ClamdConnection connection;
    private final AtomicBoolean over = new AtomicBoolean();

    ClamdScan(ClamdConnection connection) {
      this.connection = connection;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      try {
        connection.send(bytes, offset, length, verdictTimeout);
      } catch (IOException | RuntimeException e) {
        cancel();
        throw new IOException("clamd at " + address + " stopped taking data: " + e, e);
      }
    }

    @Override
    public Verdict finish() throws IOException {
      String reply;
      try {
        reply = connection.finishStream(verdictTimeout);
      } catch (IOException | RuntimeException e) {
        cancel();
        throw new IOException("clamd at " + address + " gave no verdict: " + e, e);
      }
      Verdict verdict;
      try {
        verdict = ClamdReplies.verdict(reply);
      } catch (IOException e) {
        // clamd closes the connection after most errors; never reuse it.
        cancel();
        throw new IOException("clamd at " + address + " could not scan the upload: " + e, e);
      }
      if (over.compareAndSet(false, true)) {
        pool.returnObject(connection);
      }
      return verdict;
    }

    @Override
    public void cancel() {
      if (over.compareAndSet(false, true)) {
        discard(connection);
      }
    }
  }

  private final class Connections extends BasePooledObjectFactory<ClamdConnection> {

    @Override
    public ClamdConnection create() throws IOException {
      return ClamdConnection.open(address, watchdog, connectTimeout);
    }

    @Override
    public PooledObject<ClamdConnection> wrap(ClamdConnection connection) {
      return new DefaultPooledObject<>(connection);
    }

    @Override
    public boolean validateObject(PooledObject<ClamdConnection> pooled) {
      return pooled.getObject().isIdleAndOpen();
    }

    @Override
    public void destroyObject(PooledObject<ClamdConnection> pooled) throws IOException {
      pooled.getObject().close();
    }
  }
}
