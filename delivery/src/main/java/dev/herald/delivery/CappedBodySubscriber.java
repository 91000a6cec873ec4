package dev.herald.delivery;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the first {@code cap} bytes of a response body and then hangs up, so an endless or huge
 * response costs at most {@code cap} bytes of memory and no more time than it took to send them.
 * A body still incomplete at the attempt's deadline is abandoned with a timeout, so a receiver
 * trickling bytes cannot hold a delivery slot past it.
 */
final class CappedBodySubscriber implements BodySubscriber<byte[]> {
  private final int cap;
  private final ByteArrayOutputStream kept;
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final ScheduledExecutorService timer;
  private final long deadlineNanos;
  private volatile Flow.Subscription subscription;

  CappedBodySubscriber(int cap, ScheduledExecutorService timer, long deadlineNanos) {
    this.cap = cap;
    this.kept = new ByteArrayOutputStream(Math.min(cap, 512));
    this.timer = timer;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    long remaining = deadlineNanos - System.nanoTime();
    ScheduledFuture<?> timeout = timer.schedule(this::giveUp, Math.max(0, remaining), TimeUnit.NANOSECONDS);
    body.whenComplete((bytes, error) -> timeout.cancel(false));
    subscription.request(1);
  }

  private void giveUp() {
    if (body.completeExceptionally(new HttpTimeoutException("response body not complete in time"))) {
      subscription.cancel();
    }
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      int take = Math.min(buffer.remaining(), cap - kept.size());
      byte[] chunk = new byte[take];
      buffer.get(chunk);
      kept.write(chunk, 0, take);
      if (kept.size() >= cap) {
        body.complete(kept.toByteArray());
        subscription.cancel();
        return;
      }
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public synchronized void onComplete() {
    body.complete(kept.toByteArray());
  }
}
