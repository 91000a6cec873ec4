package dev.herald.api;

import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.OutcomeFeed;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One watcher's stream. Outcomes arrive on the feed's thread and wait in a bounded buffer; they are
 * written on a call thread while the client takes them (gRPC's flow control says when). A watcher
 * that falls {@link #BUFFER} outcomes behind is let go with RESOURCE_EXHAUSTED rather than waited
 * for: delivery never slows for a watcher, and memory stays bounded.
 */
final class OutcomeStream {
  static final int BUFFER = 1_000;

  private final ServerCallStreamObserver<dev.herald.proto.v1.DeliveryOutcome> observer;
  private final Executor writer;
  private final BlockingQueue<DeliveryOutcome> waiting = new ArrayBlockingQueue<>(BUFFER);
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile OutcomeFeed.Watch watch;

  OutcomeStream(
      ServerCallStreamObserver<dev.herald.proto.v1.DeliveryOutcome> observer, Executor writer) {
    this.observer = observer;
    this.writer = writer;
    observer.setOnReadyHandler(this::drain);
    observer.setOnCancelHandler(this::stop);
  }

  /** Starts taking outcomes from {@code start}, which registers {@link #offer} with the feed. */
  void start(Function<Consumer<DeliveryOutcome>, OutcomeFeed.Watch> start) {
    watch = start.apply(this::offer);
    if (ended.get()) {
      watch.close();
    }
  }

  /** From the feed's thread: never blocks. */
  void offer(DeliveryOutcome outcome) {
    if (ended.get()) {
      return;
    }
    if (!waiting.offer(outcome)) {
      end(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "the watcher fell "
                  + BUFFER
                  + " outcomes behind and was let go; call again, and "
                  + "ListDeliveries for what was missed"));
      return;
    }
    writer.execute(this::drain);
  }

  /** Writes what waits while the client takes it; one writer at a time. */
  private synchronized void drain() {
    while (!ended.get() && observer.isReady()) {
      DeliveryOutcome next = waiting.poll();
      if (next == null) {
        return;
      }
      observer.onNext(toProto(next));
    }
  }

  private void end(Status status) {
    if (ended.compareAndSet(false, true)) {
      stop();
      writer.execute(
          () -> {
            synchronized (this) {
              observer.onError(status.asRuntimeException());
            }
          });
    }
  }

  private void stop() {
    ended.set(true);
    OutcomeFeed.Watch current = watch;
    if (current != null) {
      current.close();
    }
  }

  static dev.herald.proto.v1.DeliveryOutcome toProto(DeliveryOutcome outcome) {
    dev.herald.proto.v1.DeliveryOutcome.Builder proto =
        dev.herald.proto.v1.DeliveryOutcome.newBuilder()
            .setDeliveryId(outcome.deliveryId().toString())
            .setProjectId(outcome.projectId())
            .setWebhookId(outcome.webhookId().toString())
            .setBotId(outcome.botId())
            .setStatus(DeliveryMapper.toProto(outcome.status()))
            .setAttemptNumber(outcome.attemptNumber())
            .setResponseStatusCode(outcome.responseStatusCode())
            .setError(outcome.error())
            .setDurationMs(outcome.duration().toMillis())
            .setAttemptTime(ProtoTimes.toProto(outcome.attemptTime()));
    return proto.build();
  }
}
