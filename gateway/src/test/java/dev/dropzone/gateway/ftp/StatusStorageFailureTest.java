package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * STAT of a directory writes its listing as a multi-line reply in batches; when storage fails after
 * the first batch went out, the reply is ended with a line of its own code that says so, and the
 * next command's reply is the next reply, not one the client mistakes for the end.
 */
class StatusStorageFailureTest {

  /** More than one page of ListObjectsV2 (1,000 keys). */
  private static final int FILES = 1_100;

  @Test
  void aListingThatFailsAfterItsFirstLinesEndsWithA212SayingSo() throws Exception {
    ExecutionInterceptor secondPageFails =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            boolean listing =
                "ListObjectsV2"
                    .equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            if (listing
                && context
                    .request()
                    .getValueForField("ContinuationToken", String.class)
                    .isPresent()) {
              throw SdkClientException.create("injected: the second page is not answered");
            }
          }
        };
    try (GatewayUnderTest gw = GatewayUnderTest.intercepted(secondPageFails)) {
      IntStream.range(0, FILES)
          .parallel()
          .forEach(
              i ->
                  gw.rawClient()
                      .putObject(
                          b ->
                              b.bucket(GatewayUnderTest.BUCKET)
                                  .key(GatewayUnderTest.key("alice", "big/f" + i)),
                          RequestBody.empty()));
      try (RawControl control = new RawControl(gw.port())) {
        control.socket().setSoTimeout(20_000);
        control.reply();
        control.login("alice");
        assertThat(control.send("STAT /big")).startsWith("212 Status incomplete: ");
        assertThat(control.send("NOOP")).as("the next reply is the NOOP's").startsWith("200");
      }
    }
  }
}
