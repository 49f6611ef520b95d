package dev.dropzone.store.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Makes an S3Proxy in-memory server answer listings the way other S3 servers do, by rewriting
 * ListObjectsV2 answers in the client's pipeline. S3Proxy's in-memory store lists a subdirectory's
 * marker {@code d/} as an object in its parent's delimiter listing, and a directory's own marker
 * under its prefix; other servers differ, and a tree must accept each of these.
 */
public enum MarkerDialect implements ExecutionInterceptor {

  /**
   * AWS S3 (and Ceph RGW): in a delimiter listing a marker {@code d/} below the prefix rolls up
   * into the common prefix {@code d/}; the listed directory's own marker stays an object.
   */
  AWS {
    @Override
    ListObjectsV2Response rewrite(ListObjectsV2Request request, ListObjectsV2Response page) {
      if (request.delimiter() == null) {
        return page;
      }
      String prefix = prefixOf(request);
      List<S3Object> objects = new ArrayList<>();
      List<CommonPrefix> prefixes = new ArrayList<>(page.commonPrefixes());
      for (S3Object object : page.contents()) {
        String key = object.key();
        if (key.endsWith("/") && !key.equals(prefix)) {
          if (prefixes.stream().noneMatch(p -> p.prefix().equals(key))) {
            prefixes.add(CommonPrefix.builder().prefix(key).build());
          }
        } else {
          objects.add(object);
        }
      }
      prefixes.sort((a, b) -> a.prefix().compareTo(b.prefix()));
      return page.toBuilder().contents(objects).commonPrefixes(prefixes).build();
    }
  },

  /**
   * MinIO (issues 8148, 8605, 15815: "working as intended"): a listing of {@code d/} never returns
   * the directory object {@code d/} itself, so an empty directory lists as nothing at all.
   */
  HIDDEN_OWN_MARKER {
    @Override
    ListObjectsV2Response rewrite(ListObjectsV2Request request, ListObjectsV2Response page) {
      String prefix = prefixOf(request);
      List<S3Object> objects =
          page.contents().stream().filter(o -> !o.key().equals(prefix)).toList();
      return page.toBuilder().contents(objects).build();
    }
  },

  /**
   * A listing of {@code d/} returns the prefix {@code d/} itself as a common prefix instead of its
   * marker object, as Dropzone's earlier embedded store did (its answer broke listings of empty
   * directories).
   */
  PREFIX_AS_COMMON_PREFIX {
    @Override
    ListObjectsV2Response rewrite(ListObjectsV2Request request, ListObjectsV2Response page) {
      String prefix = prefixOf(request);
      if (request.delimiter() == null
          || prefix.isEmpty()
          || page.contents().stream().noneMatch(o -> o.key().equals(prefix))) {
        return page;
      }
      List<S3Object> objects =
          page.contents().stream().filter(o -> !o.key().equals(prefix)).toList();
      List<CommonPrefix> prefixes = new ArrayList<>();
      prefixes.add(CommonPrefix.builder().prefix(prefix).build());
      prefixes.addAll(page.commonPrefixes());
      return page.toBuilder().contents(objects).commonPrefixes(prefixes).build();
    }
  };

  abstract ListObjectsV2Response rewrite(ListObjectsV2Request request, ListObjectsV2Response page);

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (context.request() instanceof ListObjectsV2Request request
        && context.response() instanceof ListObjectsV2Response page) {
      return rewrite(request, page);
    }
    return context.response();
  }

  private static String prefixOf(ListObjectsV2Request request) {
    return request.prefix() == null ? "" : request.prefix();
  }
}
