package dev.dropzone.bench.crypto;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.format.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The encrypt and decrypt paths alone: 64 MiB through the project's streaming AEAD (1 MiB segments)
 * on one thread, to the discarding sink, so the figure is crypto plus stream overhead; and the
 * plaintext SHA-256 an upload computes beside its encryption.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class StreamingAeadBenchmark {

  public static final int PLAINTEXT_BYTES = 64 << 20;
  private static final byte[] AAD = "dropzone/v1".getBytes(StandardCharsets.UTF_8);
  private static final int CHUNK = 64 << 10;

  private StreamingAead aead;
  private byte[] plaintext;
  private byte[] ciphertext;
  private byte[] chunk;

  @Setup
  public void setUp() throws GeneralSecurityException, IOException {
    aead = DataKey.fromRaw(StreamingKeys.newDataKey()).streamingAead();
    plaintext = new byte[PLAINTEXT_BYTES];
    new Random(1).nextBytes(plaintext);
    ByteArrayOutputStream out = new ByteArrayOutputStream(PLAINTEXT_BYTES + (1 << 20));
    try (OutputStream encrypting = aead.newEncryptingStream(out, AAD)) {
      encrypting.write(plaintext);
    }
    ciphertext = out.toByteArray();
    chunk = new byte[CHUNK];
  }

  @Benchmark
  public long encrypt() throws GeneralSecurityException, IOException {
    CountingSink sink = new CountingSink();
    try (OutputStream encrypting = aead.newEncryptingStream(sink, AAD)) {
      for (int off = 0; off < PLAINTEXT_BYTES; off += CHUNK) {
        encrypting.write(plaintext, off, CHUNK);
      }
    }
    return sink.count;
  }

  /** The plaintext digest every upload keeps for HASH, fed as an upload feeds it. */
  @Benchmark
  public byte[] plaintextSha256() throws NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (int off = 0; off < PLAINTEXT_BYTES; off += CHUNK) {
      sha256.update(plaintext, off, CHUNK);
    }
    return sha256.digest();
  }

  @Benchmark
  public long decrypt() throws GeneralSecurityException, IOException {
    long total = 0;
    try (InputStream decrypting =
        aead.newDecryptingStream(new ByteArrayInputStream(ciphertext), AAD)) {
      int n;
      while ((n = decrypting.read(chunk)) > 0) {
        total += n;
      }
    }
    return total;
  }

  /** Counts bytes and keeps none, like a socket that never blocks. */
  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
