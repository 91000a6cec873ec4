package dev.herald.delivery;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Keeps the first {@code cap} bytes of a response body and then hangs up, so an endless or huge
 * response costs at most {@code cap} bytes of memory and no more time than it took to send them.
 */
final class CappedBodySubscriber implements BodySubscriber<byte[]> {
  private final int cap;
  private final ByteArrayOutputStream kept;
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  CappedBodySubscriber(int cap) {
    this.cap = cap;
    this.kept = new ByteArrayOutputStream(Math.min(cap, 512));
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
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
  public void onComplete() {
    body.complete(kept.toByteArray());
  }
}
