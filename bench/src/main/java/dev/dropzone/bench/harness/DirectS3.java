package dev.dropzone.bench.harness;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The baseline: plain AWS SDK calls to the same S3 server, with the gateway's part size and parts
 * in flight, no FTP and no encryption. One instance serves one client thread.
 */
final class DirectS3 implements Transfers {

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final int partSize;
  private final PatternSource source;
  private final ExecutorService parts;
  private final BlockingQueue<byte[]> buffers;

  DirectS3(
      S3Client s3,
      String bucket,
      String prefix,
      int partSize,
      int partsInFlight,
      PatternSource source) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    this.partSize = partSize;
    this.source = source;
    this.parts = Executors.newFixedThreadPool(partsInFlight);
    // One buffer fills while the others are in flight: the gateway's memory bound.
    this.buffers = new ArrayBlockingQueue<>(partsInFlight + 1);
    for (int i = 0; i <= partsInFlight; i++) {
      buffers.add(new byte[partSize]);
    }
  }

  @Override
  public void upload(String path, long size) throws IOException {
    String key = prefix + path;
    try (InputStream in = source.open(size)) {
      if (size < partSize) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(in.readAllBytes()));
        return;
      }
      String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
      List<CompletableFuture<CompletedPart>> uploads = new ArrayList<>();
      for (int number = 1; ; number++) {
        byte[] buffer = buffers.take();
        int length = in.readNBytes(buffer, 0, partSize);
        if (length == 0) {
          buffers.add(buffer);
          break;
        }
        int partNumber = number;
        uploads.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    String etag =
                        s3.uploadPart(
                                b ->
                                    b.bucket(bucket)
                                        .key(key)
                                        .uploadId(id)
                                        .partNumber(partNumber)
                                        .contentLength((long) length),
                                RequestBody.fromContentProvider(
                                    () -> new ByteArrayInputStream(buffer, 0, length),
                                    length,
                                    "application/octet-stream"))
                            .eTag();
                    return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
                  } finally {
                    buffers.add(buffer);
                  }
                },
                parts));
        if (length < partSize) {
          break;
        }
      }
      List<CompletedPart> done = uploads.stream().map(CompletableFuture::join).toList();
      s3.completeMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(done)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public String download(String path) throws IOException {
    PatternSource.Sha256Sink sink = new PatternSource.Sha256Sink();
    try {
      s3.getObject(
          b -> b.bucket(bucket).key(prefix + path), ResponseTransformer.toOutputStream(sink));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return sink.hex();
  }

  @Override
  public List<String> list(String path) {
    String dir = prefix + path + "/";
    return s3
        .listObjectsV2Paginator(
            ListObjectsV2Request.builder().bucket(bucket).prefix(dir).delimiter("/").build())
        .contents()
        .stream()
        .map(S3Object::key)
        .map(k -> k.substring(dir.length()))
        // The directory's own marker object is not an entry of it.
        .filter(name -> !name.isEmpty())
        .toList();
  }

  @Override
  public void close() {
    parts.shutdownNow();
  }
}
