package dev.dropzone.store.s3;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.VirtualPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Proves the configured bucket and credentials can do what the gateway does: the bucket exists, and
 * a probe object under the prefix can be written, read back, listed and deleted. The probe lives in
 * the reserved area ({@code <prefix>/.dropzone/preflight/}), which FTP never shows.
 */
public final class BucketAccessCheck {

  private static final byte[] PROBE = "dropzone preflight probe".getBytes(StandardCharsets.UTF_8);

  private final S3Settings settings;

  public BucketAccessCheck(S3Settings settings) {
    this.settings = settings;
  }

  /**
   * Runs the check.
   *
   * @return the problems found, each naming the operation, S3's answer and what to check; empty
   *     when the gateway could work with this bucket
   */
  public List<String> run() {
    List<String> problems = new ArrayList<>();
    try (S3Client s3 = S3Clients.create(settings)) {
      String bucket = settings.bucket();
      String key =
          settings.key(VirtualPath.RESERVED + "/preflight/" + UUID.randomUUID() + ".probe");
      try {
        s3.headBucket(b -> b.bucket(bucket));
      } catch (SdkException e) {
        // HEAD has no error body: a 403 here may be a wrong secret or a missing permission, which
        // the PUT below tells apart.
        if (!(e instanceof S3Exception s3e && s3e.statusCode() == 403)) {
          problems.add(explain("find the bucket", e));
          return problems;
        }
      }
      try {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(PROBE));
      } catch (SdkException e) {
        problems.add(explain("write a probe object " + key, e));
        return problems;
      }
      try {
        check(s3, bucket, key, problems);
      } finally {
        try {
          s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
          problems.add(explain("delete the probe object " + key + " (remove it by hand)", e));
        }
      }
    } catch (SdkException e) {
      problems.add(explain("create an S3 client", e));
    }
    return problems;
  }

  /**
   * The light check a readiness probe can afford every few seconds: one ListObjectsV2 of at most
   * one key in the reserved area, through {@code s3} (the store's own client), which proves the
   * endpoint answers and accepts the configured credentials for the bucket. Nothing is written.
   *
   * @return the problem, naming S3's answer and what to check; empty when S3 answered
   */
  public Optional<String> reach(S3Client s3) {
    String reserved = settings.key(VirtualPath.RESERVED + "/");
    try {
      s3.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(reserved).maxKeys(1));
      return Optional.empty();
    } catch (SdkException e) {
      return Optional.of(explain("list " + reserved, e));
    }
  }

  private void check(S3Client s3, String bucket, String key, List<String> problems) {
    try {
      byte[] read =
          ObjectPrefix.read(
                  s3, GetObjectRequest.builder().bucket(bucket).key(key).build(), PROBE.length)
              .bytes();
      if (!Arrays.equals(read, PROBE)) {
        problems.add("the probe object " + key + " read back differs from what was written");
      }
    } catch (SdkException e) {
      problems.add(explain("read the probe object " + key, e));
    }
    String directory = key.substring(0, key.lastIndexOf('/') + 1);
    try {
      boolean listed =
          s3.listObjectsV2(b -> b.bucket(bucket).prefix(directory)).contents().stream()
              .anyMatch(o -> o.key().equals(key));
      if (!listed) {
        problems.add("listing " + directory + " does not show the probe object just written");
      }
    } catch (SdkException e) {
      problems.add(explain("list " + directory, e));
    }
  }

  private String explain(String what, SdkException e) {
    String where =
        " (bucket '"
            + settings.bucket()
            + "' at "
            + (settings.endpoint() == null ? "AWS " + settings.region() : settings.endpoint())
            + ")";
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
      String hint =
          switch (code == null ? "" : code) {
            case "NoSuchBucket" -> "the bucket does not exist: create it, or correct s3.bucket";
            case "SignatureDoesNotMatch" ->
                "the secret key does not match the access key: check s3.secretAccessKey";
            case "InvalidAccessKeyId" ->
                "the access key is unknown to this endpoint: check s3.accessKeyId";
            case "AccessDenied" ->
                "the credentials are not allowed to: check the bucket policy and IAM permissions"
                    + " for the prefix";
            default ->
                s3.statusCode() == 404
                    ? "the bucket does not exist: create it, or correct s3.bucket"
                    : s3.statusCode() == 403
                        ? "access denied: check the credentials and the bucket policy"
                        : "HTTP " + s3.statusCode() + ": " + firstLine(s3.getMessage());
          };
      return "cannot "
          + what
          + where
          + ": "
          + (code == null || code.isEmpty() ? "" : code + ", ")
          + hint;
    }
    if (e instanceof SdkClientException) {
      return "cannot "
          + what
          + where
          + ": "
          + firstLine(e.getMessage())
          + " (check s3.endpoint, s3.region and the network)";
    }
    return "cannot " + what + where + ": " + firstLine(e.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no details";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
