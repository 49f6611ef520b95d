package dev.dropzone.store.transfer;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import java.io.OutputStream;
import java.net.URI;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Run by {@link MemoryBoundTest} in a JVM with a small heap: uploads {@code size} bytes of {@link
 * PlaintextPattern} with default part settings and prints the plaintext's SHA-256.
 *
 * <p>Arguments: endpoint, bucket, key, size, seed.
 */
public final class BoundedUploadMain {

  static final String HASH_LINE = "plaintext-sha256=";

  private BoundedUploadMain() {}

  public static void main(String[] args) throws Exception {
    S3Settings settings =
        S3Settings.of(
            URI.create(args[0]),
            S3ProxyFixture.REGION,
            S3ProxyFixture.ACCESS_KEY,
            S3ProxyFixture.SECRET_KEY,
            args[1],
            "");
    long size = Long.parseLong(args[3]);
    PlaintextPattern pattern = new PlaintextPattern(Long.parseLong(args[4]));
    MessageDigest digest = PlaintextPattern.newDigest();
    try (S3Client s3 = S3Clients.create(settings);
        ObjectTransfers transfers = new ObjectTransfers(s3, settings);
        Upload upload = transfers.openWrite(args[2], args[2], TestKeys.session("alice"), 0)) {
      OutputStream out = new DigestOutputStream(upload.stream(), digest);
      TransferTestBed.copy(pattern.stream(0, size), out);
      upload.commit();
    }
    System.out.println("max-heap=" + Runtime.getRuntime().maxMemory());
    System.out.println(HASH_LINE + HexFormat.of().formatHex(digest.digest()));
  }
}
