package dev.herald.it;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * State changes sent at a steady rate, each call with its own deadline, whatever the server
 * answers: what was acknowledged, and how each refusal was worded. Each event is of a bot of its
 * own, named as the event, so a delivered body says which event it carries.
 */
final class PacedIngest implements AutoCloseable {
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Map<Status.Code, AtomicInteger> refusals = new ConcurrentHashMap<>();
  private final Set<String> refusalMessages = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

  /**
   * @param deadlineSeconds each call's deadline, as a caller would set it
   */
  PacedIngest(ManagedChannel channel, String project, int perSecond, long deadlineSeconds) {
    long periodMicros = 1_000_000L / perSecond;
    pacer.scheduleAtFixedRate(
        () -> {
          String eventId = "evt-" + sent.incrementAndGet();
          inFlight.incrementAndGet();
          Futures.addCallback(
              IngestionServiceGrpc.newFutureStub(channel)
                  .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                  .ingestStateChange(
                      Requests.stateChange(project, eventId).setEventId(eventId).build()),
              new FutureCallback<IngestStateChangeResponse>() {
                @Override
                public void onSuccess(IngestStateChangeResponse response) {
                  acknowledged.add(eventId);
                  inFlight.decrementAndGet();
                }

                @Override
                public void onFailure(Throwable failure) {
                  Status status = Status.fromThrowable(failure);
                  refusals
                      .computeIfAbsent(status.getCode(), c -> new AtomicInteger())
                      .incrementAndGet();
                  // The gist of the wording: correlation ids and timings vary by call.
                  String description = String.valueOf(status.getDescription());
                  refusalMessages.add(description.substring(0, Math.min(40, description.length())));
                  inFlight.decrementAndGet();
                }
              },
              MoreExecutors.directExecutor());
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
  }

  Set<String> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Refused calls by status code. */
  Map<Status.Code, Integer> refusals() {
    Map<Status.Code, Integer> counts = new java.util.TreeMap<>();
    refusals.forEach((code, count) -> counts.put(code, count.get()));
    return counts;
  }

  Set<String> refusalMessages() {
    return Set.copyOf(refusalMessages);
  }

  /** Stops sending and waits for the calls in flight. */
  @Override
  public void close() throws InterruptedException {
    pacer.shutdownNow();
    pacer.awaitTermination(10, TimeUnit.SECONDS);
    Eventually.until("the calls in flight to end", () -> inFlight.get() == 0);
  }
}
