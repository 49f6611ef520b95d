package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An ABOR arrives on its own thread and clears the upload's scan whenever it comes. Here it comes
 * while a write is with the scanner, as the file passes the scan size limit: the upload must end as
 * aborted (the client's 426), not as "Internal error" from a scan that was no longer there. The
 * scan and the store below are stand-ins: the race is between the wrapper's own threads.
 */
class ScanningUploadAbortTest {

  @ParameterizedTest
  @EnumSource(Fallback.class)
  void anAbortDuringAWriteThatPassesTheSizeLimitEndsTheUploadAsAborted(Fallback onTooLarge)
      throws Exception {
    StoreStandIn store = new StoreStandIn();
    AbortingScan scan = new AbortingScan();
    ScanningUpload upload =
        new ScanningUpload(
            store, scan, null, settings(4, onTooLarge), record -> {}, "alice", VirtualPath.of("f"));
    scan.upload = upload;

    assertThatThrownBy(() -> upload.stream().write(new byte[8], 0, 8))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.ABORTED));
    assertThat(scan.cancelled).isTrue();
    assertThat(store.aborted).isTrue();
  }

  private static ScanSettings settings(long maxSize, Fallback onTooLarge) {
    return new ScanSettings(
        ClamdAddress.parse("tcp://127.0.0.1:3310"),
        1,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Fallback.REFUSE,
        maxSize,
        onTooLarge,
        true);
  }

  /** A scan during whose first write the ABOR comes; finishing a cancelled scan fails. */
  private static final class AbortingScan implements Scanner.Scan {
    ScanningUpload upload;
    volatile boolean cancelled;
    private boolean aborted;

    @Override
    public void write(byte[] bytes, int offset, int length) {
      if (!aborted) {
        aborted = true;
        upload.abort();
      }
    }

    @Override
    public Verdict finish() throws IOException {
      if (cancelled) {
        throw new IOException("the scan was cancelled");
      }
      return new Verdict(null);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private static final class StoreStandIn implements Upload {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    volatile boolean aborted;

    @Override
    public OutputStream stream() {
      return bytes;
    }

    @Override
    public void commit() throws IOException {
      if (aborted) {
        throw new IOException("aborted");
      }
    }

    @Override
    public void abort() {
      aborted = true;
    }

    @Override
    public long bytesWritten() {
      return bytes.size();
    }

    @Override
    public void close() {}
  }
}
