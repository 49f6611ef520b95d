package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.format.ObjectFormat;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * What a bucket writer does to an EaaS-wrapped v2 file to read it from another home: a server-side
 * copy to {@code to} with format v1 metadata naming {@code user}, the key's binding tag stripped.
 */
public final class UnboundV1Relabel {

  private UnboundV1Relabel() {}

  public static void copy(S3Client raw, String bucket, String from, String to, String user) {
    Map<String, String> v2 = raw.headObject(b -> b.bucket(bucket).key(from)).metadata();
    String wrapped = v2.get(ObjectFormat.META_KEY);
    assertThat(wrapped).as("an EaaS v2 key: ciphertext.tag").contains(".");
    Map<String, String> v1 = new HashMap<>();
    v1.put(ObjectFormat.META_FORMAT, ObjectFormat.VERSION_1);
    v1.put(ObjectFormat.META_ALGORITHM, v2.get(ObjectFormat.META_ALGORITHM));
    v1.put(ObjectFormat.META_KEY, wrapped.substring(0, wrapped.indexOf('.')));
    v1.put(ObjectFormat.META_KEY_REF, v2.get(ObjectFormat.META_KEY_REF));
    v1.put(ObjectFormat.META_USER, user);
    raw.copyObject(
        b ->
            b.sourceBucket(bucket)
                .sourceKey(from)
                .destinationBucket(bucket)
                .destinationKey(to)
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(v1));
  }
}
