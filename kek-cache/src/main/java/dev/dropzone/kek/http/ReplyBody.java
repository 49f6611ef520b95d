package dev.dropzone.kek.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * One attempt's reply body, collected up to a size limit, and the request that carries it.
 *
 * <p>The web client's own codec keeps whatever a service sends, so one reply of a few GiB, from a
 * broken service or whoever sits in front of it, would take the gateway's heap; and once an attempt
 * has given up on a reply that trickles in, the web client would still read it to its end, keeping
 * the connection taken in the pool for as long as the service keeps sending. Here a byte beyond the
 * limit fails the reply, and a too long or {@linkplain #abandon() abandoned} reply resets its
 * request, which closes the connection while the request is still on it and does nothing once it
 * has ended (its connection may already serve another call).
 */
final class ReplyBody implements BodyCodec<Buffer> {

  private final int limit;
  private volatile boolean abandoned;
  private volatile TooLargeException refusal;
  private volatile HttpClientRequest request;

  ReplyBody(int limit) {
    this.limit = limit;
  }

  /**
   * Called with the HTTP request of this body just before it is sent: the only way to end an
   * attempt the web client offers none for.
   *
   * @return false when the attempt was abandoned already: the request must not be sent
   */
  boolean attach(HttpClientRequest request) {
    this.request = request;
    return !abandoned;
  }

  /** Ends the attempt's request, now or as soon as it has one: the attempt has given up. */
  void abandon() {
    abandoned = true;
    reset();
  }

  private void reset() {
    HttpClientRequest current = request;
    if (current != null) {
      current.reset();
    }
  }

  @Override
  public BodyStream<Buffer> stream() {
    return new Stream();
  }

  /** Thrown into the web client when a reply is longer than the limit. */
  static final class TooLargeException extends RuntimeException {
    TooLargeException(int limit) {
      super("the reply is longer than " + limit + " bytes, far more than any key operation needs");
    }
  }

  private final class Stream implements BodyStream<Buffer> {

    private final Promise<Buffer> result = Promise.promise();
    private final Buffer body = Buffer.buffer();

    @Override
    public Future<Buffer> result() {
      return result.future();
    }

    @Override
    public void handle(Throwable failure) {
      result.tryFail(failure);
    }

    @Override
    public Future<Void> write(Buffer data) {
      if ((long) body.length() + data.length() > limit) {
        TooLargeException refused = new TooLargeException(limit);
        refusal = refused;
        result.tryFail(refused);
        // Otherwise the web client would read the rest and throw it away, however long it is.
        reset();
        return Future.failedFuture(refused);
      }
      body.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      result.tryComplete(body);
      return Future.succeededFuture();
    }

    @Override
    public Stream exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Stream setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public Stream drainHandler(Handler<Void> handler) {
      return this;
    }
  }

  /** Why the reply was refused for its length, or null: the request's own failure is the reset. */
  TooLargeException refusal() {
    return refusal;
  }
}
