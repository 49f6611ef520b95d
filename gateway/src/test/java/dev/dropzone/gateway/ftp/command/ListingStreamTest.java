package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ListingStreamTest {

  @Test
  void oneReadCarriesAsManyLinesAsFitNotOneLinePerWrite() throws IOException {
    ListingStream stream = new ListingStream(List.of("alpha", "beta", "gamma").iterator());
    byte[] block = new byte[64];

    int n = stream.read(block, 0, block.length);

    assertThat(new String(block, 0, n, StandardCharsets.UTF_8))
        .isEqualTo("alpha\r\nbeta\r\ngamma\r\n");
    assertThat(stream.read(block, 0, block.length)).isEqualTo(-1);
  }

  /** A large directory's lines go out a page's worth at a time, not after several pages. */
  @Test
  void aReadGathersAtMostOneBatchWhateverTheBuffer() throws IOException {
    String line = "x".repeat(98);
    ListingStream stream =
        new ListingStream(java.util.stream.Stream.generate(() -> line).limit(1_500).iterator());
    byte[] block = new byte[256 << 10];

    assertThat(stream.read(block, 0, block.length)).isEqualTo(ListingStream.BATCH);
    assertThat(stream.read(block, 0, block.length)).isEqualTo(ListingStream.BATCH);
    assertThat(stream.read(block, 0, block.length))
        .isEqualTo(1_500 * 100 - 2 * ListingStream.BATCH);
    assertThat(stream.read(block, 0, block.length)).isEqualTo(-1);
  }

  @Test
  void aLineLongerThanTheBufferContinuesInTheNextRead() throws IOException {
    ListingStream stream = new ListingStream(List.of("abcdef", "gh").iterator());
    byte[] block = new byte[4];
    StringBuilder seen = new StringBuilder();
    for (int n = stream.read(block, 0, 4); n >= 0; n = stream.read(block, 0, 4)) {
      assertThat(n).isEqualTo(4);
      seen.append(new String(block, 0, n, StandardCharsets.UTF_8));
    }
    assertThat(seen).hasToString("abcdef\r\ngh\r\n");
    assertThat(stream.read()).isEqualTo(-1);
  }

  /**
   * A later page that fails is not a shorter listing: the lines read before it are returned, and
   * the next read reports the store's failure instead of an end of data.
   */
  @Test
  void aFailureAfterSomeLinesIsReportedByTheNextReadNotTurnedIntoAnEnd() throws IOException {
    IOException cause = new IOException("ListObjectsV2 failed");
    Iterator<String> failing =
        new Iterator<>() {
          private int given;

          @Override
          public boolean hasNext() {
            if (given == 2) {
              throw new UncheckedIOException(cause);
            }
            return true;
          }

          @Override
          public String next() {
            if (given == 2) {
              throw new NoSuchElementException();
            }
            return "line" + given++;
          }
        };
    ListingStream stream = new ListingStream(failing);
    byte[] block = new byte[64];

    int n = stream.read(block, 0, block.length);

    assertThat(new String(block, 0, n, StandardCharsets.UTF_8)).isEqualTo("line0\r\nline1\r\n");
    assertThatThrownBy(() -> stream.read(block, 0, block.length)).isSameAs(cause);
    assertThatThrownBy(() -> stream.read(block, 0, block.length)).isSameAs(cause);
  }
}
