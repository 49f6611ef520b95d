package dev.dropzone.gateway.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole lines, written and flushed one at a time from any thread, so a line is on disk (or in the
 * container's log) when the client has its reply, and lines from several threads never interleave.
 */
final class LineSink implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LineSink.class);

  private final String name;
  private final Writer out;
  private final boolean owned;
  private final AtomicBoolean failed = new AtomicBoolean();

  private LineSink(String name, Writer out, boolean owned) {
    this.name = name;
    this.out = out;
    this.owned = owned;
  }

  /** Lines to a standard stream, which stays open when the sink closes. */
  static LineSink of(String name, PrintStream stream) {
    return new LineSink(
        name, new java.io.OutputStreamWriter(new Unclosed(stream), StandardCharsets.UTF_8), false);
  }

  /**
   * Lines appended to {@code file}; a new file is readable by its owner only (it names users,
   * addresses and files).
   *
   * @throws IOException naming the file when it cannot be opened for appending
   */
  static LineSink append(String name, Path file) throws IOException {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
        // Appended to as it is.
      }
      return new LineSink(
          name,
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
          true);
    } catch (IOException e) {
      throw new IOException(
          "Cannot open " + name + " file " + file + " for appending: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code line} and a line break. A failure is logged once and the line dropped: an audit
   * target that fills up must not stop transfers.
   */
  synchronized void write(String line) {
    try {
      out.write(line);
      out.write('\n');
      out.flush();
      if (failed.compareAndSet(true, false)) {
        LOG.warn("The {} is written again", name);
      }
    } catch (IOException e) {
      if (failed.compareAndSet(false, true)) {
        LOG.error(
            "Cannot write the {} ({}); lines are lost until it works again: check the disk",
            name,
            e.getMessage());
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (owned) {
        out.close();
      } else {
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("closing the " + name, e);
    }
  }

  /** A standard stream that a closing writer leaves open. */
  private static final class Unclosed extends OutputStream {
    private final PrintStream stream;

    Unclosed(PrintStream stream) {
      this.stream = stream;
    }

    @Override
    public void write(int b) {
      stream.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      stream.write(b, off, len);
    }

    @Override
    public void flush() {
      stream.flush();
    }
  }
}
