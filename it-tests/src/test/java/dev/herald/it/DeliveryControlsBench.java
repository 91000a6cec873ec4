package dev.herald.it;

import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.Ordering;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The benchmark's delivery-control rows, on the delivery phases' server: a backlog of 1,000 bots'
 * changes to one ordered webhook against the same to an unordered one, and a rate-limited webhook's
 * achieved rate against its limit.
 */
final class DeliveryControlsBench {
  private static final int BOTS = 1_000;
  private static final int CHANGES_PER_BOT = 10;
  private static final int LIMIT = 200;
  private static final int LIMITED_BACKLOG = 2_000;
  private static final int IN_FLIGHT = 64;

  private final ManagedChannel channel;
  private final FastReceiver receiver;

  DeliveryControlsBench(ManagedChannel channel, FastReceiver receiver) {
    this.channel = channel;
    this.receiver = receiver;
  }

  /** Runs the rows; adds them to {@code results} and {@code table}. */
  void run(Map<String, Object> results, List<String> table) throws InterruptedException {
    double unordered = linesPerSecond("bench-unordered", Ordering.ORDERING_UNORDERED);
    double ordered = linesPerSecond("bench-ordered", Ordering.ORDERING_PER_BOT);
    double limited = limitedRate();
    Map<String, Object> controls = new LinkedHashMap<>();
    controls.put("ordered_deliveries_per_s", round(ordered));
    controls.put("unordered_same_load_per_s", round(unordered));
    controls.put("rate_limit_per_s", LIMIT);
    controls.put("rate_limited_achieved_per_s", round(limited));
    results.put("controls", controls);
    table.add(
        String.format(
            Locale.ROOT,
            "ordered, %,d bots x %d  %8.0f deliveries/s (unordered, same load: %.0f/s)",
            BOTS,
            CHANGES_PER_BOT,
            ordered,
            unordered));
    table.add(
        String.format(
            Locale.ROOT,
            "rate limit %d/s         %8.1f requests/s achieved over a %,d backlog",
            LIMIT,
            limited,
            LIMITED_BACKLOG));
  }

  /**
   * Every bot's changes ingested in rounds (each bot's next once its previous is acknowledged);
   * deliveries a second from the first ingest to the last arrival.
   */
  private double linesPerSecond(String project, Ordering ordering) throws InterruptedException {
    WebhookServiceGrpc.newBlockingStub(channel)
        .createWebhook(
            Requests.webhook(project, receiver.url("/" + project)).toBuilder()
                .setOrdering(ordering)
                .build());
    receiver.reset();
    int total = BOTS * CHANGES_PER_BOT;
    long start = System.nanoTime();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    for (int round = 0; round < CHANGES_PER_BOT; round++) {
      for (int bot = 0; bot < BOTS; bot++) {
        inFlight.acquire();
        ingest(project, "bot-" + bot, inFlight);
      }
    }
    await(total, Duration.ofMinutes(5));
    return total / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * A backlog to a webhook limited to {@link #LIMIT}: its arrivals a second, from the receiver's
   * first sight of the first delivery to its sight of the last.
   */
  private double limitedRate() throws InterruptedException {
    WebhookServiceGrpc.newBlockingStub(channel)
        .createWebhook(
            Requests.webhook("bench-limited", receiver.url("/limited")).toBuilder()
                .setMaxRequestsPerSecond(LIMIT)
                .build());
    receiver.reset();
    receiver.recordTimes(true);
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    for (int i = 0; i < LIMITED_BACKLOG; i++) {
      inFlight.acquire();
      ingest("bench-limited", "limited-" + i, inFlight);
    }
    await(LIMITED_BACKLOG, Duration.ofMinutes(5));
    receiver.recordTimes(false);
    LongSummaryStatistics seen =
        IntStream.range(0, LIMITED_BACKLOG)
            .mapToLong(i -> receiver.firstSeen("limited-" + i))
            .summaryStatistics();
    return (LIMITED_BACKLOG - 1) / ((seen.getMax() - seen.getMin()) / 1e9);
  }

  private void ingest(String project, String bot, Semaphore inFlight) {
    IngestionServiceGrpc.newStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .ingestStateChange(
            Requests.stateChange(project, bot).build(),
            new StreamObserver<IngestStateChangeResponse>() {
              @Override
              public void onNext(IngestStateChangeResponse value) {}

              @Override
              public void onError(Throwable t) {
                inFlight.release();
                throw new IllegalStateException("ingest failed", t);
              }

              @Override
              public void onCompleted() {
                inFlight.release();
              }
            });
  }

  private void await(long count, Duration timeout) {
    Eventually.await(
        count + " deliveries", timeout, receiver::received, received -> received >= count);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
