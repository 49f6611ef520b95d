package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadAheadTest {

  private static final int BLOCK = ReadAhead.BLOCK;

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 9 * BLOCK + 7})
  void everyByteArrivesInOrderWhateverTheReadSizes(int size) throws Exception {
    byte[] content = random(size);
    try (InputStream in = ReadAhead.of(new Trickle(content, 1000), threads)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[7_919];
      int step = 1;
      for (int n; (n = in.read(buffer, 0, Math.min(buffer.length, step))) >= 0; ) {
        out.write(buffer, 0, n);
        step = step * 3 % buffer.length + 1;
      }
      assertThat(in.read()).isEqualTo(-1);
      assertThat(out.toByteArray()).isEqualTo(content);
    }
  }

  @Test
  void aFailureArrivesAfterEveryByteBeforeItAndStays() throws Exception {
    byte[] content = random(BLOCK + BLOCK / 2);
    StoreException broken = new StoreException(Reason.STORAGE_UNAVAILABLE, "connection broke");
    InputStream failing =
        new Trickle(content, 4096) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
              throw broken;
            }
            return n;
          }
        };
    InputStream in = ReadAhead.of(failing, threads);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[10_000];
    assertThatThrownBy(
            () -> {
              for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
              }
            })
        .isSameAs(broken);
    assertThat(out.toByteArray()).isEqualTo(content);
    assertThatThrownBy(() -> in.read(buffer)).isSameAs(broken);
    in.close();
  }

  @Test
  void closingStopsTheReadingThreadAndClosesTheSource() throws Exception {
    AtomicBoolean sourceClosed = new AtomicBoolean();
    AtomicBoolean readerDone = new AtomicBoolean();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 0;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (sourceClosed.get()) {
              throw new IOException("closed");
            }
            Arrays.fill(b, off, off + len, (byte) 1);
            return len;
          }

          @Override
          public void close() {
            sourceClosed.set(true);
          }
        };
    InputStream in =
        ReadAhead.of(
            endless,
            task ->
                threads.execute(
                    () -> {
                      task.run();
                      readerDone.set(true);
                    }));
    assertThat(in.read(new byte[100])).isEqualTo(100);

    in.close();

    assertThat(sourceClosed).isTrue();
    await().untilTrue(readerDone);
  }

  @Test
  void withoutAThreadTheSourceIsReadDirectly() {
    InputStream source = new ByteArrayInputStream(new byte[10]);
    assertThat(
            ReadAhead.of(
                source,
                task -> {
                  throw new RejectedExecutionException("shutting down");
                }))
        .isSameAs(source);
  }

  private static byte[] random(int size) {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    return content;
  }

  /** Hands out at most {@code chunk} bytes per read, as a network stream does. */
  private static class Trickle extends InputStream {
    private final ByteArrayInputStream content;
    private final int chunk;

    Trickle(byte[] content, int chunk) {
      this.content = new ByteArrayInputStream(content);
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return content.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return content.read(b, off, Math.min(len, chunk));
    }
  }
}
