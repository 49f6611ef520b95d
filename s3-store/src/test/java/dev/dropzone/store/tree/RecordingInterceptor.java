package dev.dropzone.store.tree;

import dev.dropzone.store.S3Settings;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Sits in a real S3 client's request pipeline: counts requests per operation, and can make one
 * operation fail after a number of successes, as a dropped connection would.
 */
final class RecordingInterceptor implements ExecutionInterceptor {

  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** The key (or listing prefix) of each request, per operation. */
  private final Map<String, Queue<String>> keys = new ConcurrentHashMap<>();

  private volatile String failingOperation;
  private volatile int failAfter;

  /** What to do once after the next success of an operation, as another writer racing it. */
  private final Map<String, Runnable> afterNext = new ConcurrentHashMap<>();

  /** Error answers (status, S3 error code) the next requests of an operation get instead. */
  private final Map<String, Queue<String[]>> answers = new ConcurrentHashMap<>();

  /** The answer this execution gets, taken when its request is rewritten. */
  private static final ExecutionAttribute<String[]> ANSWER =
      new ExecutionAttribute<>("dropzone.test.answer");

  /** A client configured like the store's own, with this interceptor in its pipeline. */
  S3Client client(S3Settings settings) {
    return S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder())
        .region(Region.of(settings.region()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .endpointOverride(settings.endpoint())
        .overrideConfiguration(c -> c.addExecutionInterceptor(this))
        .build();
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    int done = counts.computeIfAbsent(operation, k -> new AtomicInteger()).getAndIncrement();
    context
        .request()
        .getValueForField("Key", String.class)
        .or(() -> context.request().getValueForField("Prefix", String.class))
        .ifPresent(
            key -> keys.computeIfAbsent(operation, k -> new ConcurrentLinkedQueue<>()).add(key));
    if (operation.equals(failingOperation) && done >= failAfter) {
      throw SdkClientException.create("injected failure of " + operation);
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    Runnable action =
        afterNext.remove(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    if (action != null) {
      action.run();
    }
  }

  /**
   * The next request of {@code operation} is sent as a HEAD of its key, which changes nothing on
   * the server, and its response becomes {@code status} with S3 error {@code code}: answers the
   * in-process S3 server never gives (it has no conditional deletes), in S3's own wire format, so
   * the SDK parses them as it would parse S3's.
   */
  void answerNext(String operation, int status, String code) {
    answers
        .computeIfAbsent(operation, k -> new ConcurrentLinkedQueue<>())
        .add(new String[] {Integer.toString(status), code});
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    Queue<String[]> queued =
        answers.get(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    String[] answer = queued == null ? null : queued.poll();
    if (answer == null) {
      return context.httpRequest();
    }
    attributes.putAttribute(ANSWER, answer);
    return context.httpRequest().toBuilder().method(SdkHttpMethod.HEAD).build();
  }

  @Override
  public SdkHttpResponse modifyHttpResponse(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    String[] answer = attributes.getAttribute(ANSWER);
    if (answer == null) {
      return context.httpResponse();
    }
    return SdkHttpResponse.builder()
        .statusCode(Integer.parseInt(answer[0]))
        .putHeader("Content-Type", "application/xml")
        .build();
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    String[] answer = attributes.getAttribute(ANSWER);
    if (answer == null) {
      return context.responseBody();
    }
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
            + answer[1]
            + "</Code><Message>answered by the test</Message></Error>";
    return Optional.of(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  /** Runs {@code action} once, right after the next {@code operation} succeeds. */
  void afterNext(String operation, Runnable action) {
    afterNext.put(operation, action);
  }

  int count(String operation) {
    AtomicInteger n = counts.get(operation);
    return n == null ? 0 : n.get();
  }

  /**
   * Requests of {@code operation} whose key (or listing prefix) starts with {@code prefix}: a
   * test's own, whatever a request another test left running does meanwhile.
   */
  int count(String operation, String prefix) {
    Queue<String> seen = keys.get(operation);
    return seen == null ? 0 : (int) seen.stream().filter(k -> k.startsWith(prefix)).count();
  }

  void reset() {
    counts.clear();
    keys.clear();
    failingOperation = null;
    afterNext.clear();
    answers.clear();
  }

  /** From now on, {@code operation} succeeds {@code successes} more times, then fails. */
  void failAfter(String operation, int successes) {
    counts.remove(operation);
    failAfter = successes;
    failingOperation = operation;
  }
}
