package dev.herald.it;

import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A returning endpoint: one webhook's endpoint answers 503 while {@link #BACKLOG} of its deliveries
 * pile up, stays down a while longer, then comes back, while {@link #OTHERS_RATE} events a second
 * go to {@link #OTHERS} other endpoints throughout, from {@link #OTHERS_LEAD_IN} before the
 * pile-up. Measured: the others' end-to-end latency in each stretch, how soon a probe finds the
 * endpoint back, how fast its backlog drains against the raw-POST ceiling, and the latency of its
 * new deliveries once the backlog is gone. Nothing here vacuums, analyzes or checkpoints: the
 * database is left to autovacuum, as in production.
 *
 * <p>Past 250 lines as one class because the pile-up, the return and the drain are one sequence
 * over the same endpoints, measured stretch by stretch.
 */
final class OutageBench {
  static final int BACKLOG = Integer.getInteger("herald.bench.outage.backlog", 100_000);
  private static final int OTHERS = 50;

  /**
   * The others' load; {@code -Dherald.bench.outage.others=2} leaves the drain the machine to
   * itself, to tell what the others' load costs it.
   */
  private static final int OTHERS_RATE = Integer.getInteger("herald.bench.outage.others", 500);

  private static final int PILE_UP_RATE = 2_000;
  private static final int RETURNED_RATE = 100;
  private static final Duration STILL_DOWN = Duration.ofSeconds(20);

  /**
   * How long the others' load runs before the backlog starts to pile up, so that their webhooks'
   * first deliveries (new connections, their projects' keys looked up) are not taken for the
   * pause's doing.
   */
  private static final Duration OTHERS_LEAD_IN = Duration.ofSeconds(5);

  private static final Duration SETTLING_AFTER_DRAIN = Duration.ofSeconds(5);
  private static final Duration AFTER_DRAIN = Duration.ofSeconds(15);
  private static final double TARGET_P99_MS = 50;
  private static final double TARGET_DRAIN_RATIO = 0.5;
  private static final String DOWN_PATH = "/outage/down";
  private static final String DOWN_PROJECT = "bench-outage-down";

  private final ManagedChannel channel;
  private final FastReceiver receiver;
  private final double rawPostCeiling;

  /** When each event of a load was acknowledged (nanoTime), by its number. */
  private final Map<Long, Long> othersAcked = new ConcurrentHashMap<>();

  private final Map<Long, Long> returnedAcked = new ConcurrentHashMap<>();

  OutageBench(ManagedChannel channel, FastReceiver receiver, double rawPostCeiling) {
    this.channel = channel;
    this.receiver = receiver;
    this.rawPostCeiling = rawPostCeiling;
  }

  void run(Map<String, Object> results, List<String> table) throws Exception {
    WebhookServiceGrpc.WebhookServiceBlockingStub webhooks =
        WebhookServiceGrpc.newBlockingStub(channel);
    webhooks.createWebhook(Requests.webhook(DOWN_PROJECT, receiver.url(DOWN_PATH)));
    for (int i = 0; i < OTHERS; i++) {
      webhooks.createWebhook(
          Requests.webhook("bench-outage-" + i, receiver.url("/outage/ok-" + i)));
    }
    receiver.down(DOWN_PATH, true);
    receiver.recordTimes(true);
    long refusedBefore = receiver.refused();

    ScheduledExecutorService others = Executors.newSingleThreadScheduledExecutor();
    AtomicLong othersSent = new AtomicLong();
    long othersStart = System.nanoTime();
    others.scheduleAtFixedRate(
        () -> {
          long n = othersSent.incrementAndGet();
          OfferedLoad.ingestAsync(
              channel,
              "bench-outage-" + (n % OTHERS),
              "others-" + n,
              () -> othersAcked.put(n, System.nanoTime()));
        },
        0,
        1_000_000_000L / OTHERS_RATE,
        TimeUnit.NANOSECONDS);
    Map<String, Object> outage = new LinkedHashMap<>();
    try {
      Thread.sleep(OTHERS_LEAD_IN.toMillis());
      long pileUpStart = System.nanoTime();
      pace(PILE_UP_RATE, BACKLOG, "pile-", new ConcurrentHashMap<>());
      long pileUpEnd = System.nanoTime();
      Thread.sleep(STILL_DOWN.toMillis());
      long refusedWhileDown = receiver.refused() - refusedBefore;

      long back = System.nanoTime();
      receiver.down(DOWN_PATH, false);
      Eventually.await(
          "the backlog to be delivered",
          Duration.ofMinutes(10),
          () -> receiver.firstSightings("pile-") == BACKLOG,
          done -> done);
      long firstDelivered = firstSeen("pile-", BACKLOG, true);
      long drained = firstSeen("pile-", BACKLOG, false);
      double drainSeconds = (drained - firstDelivered) / 1e9;
      double drainPerSecond = BACKLOG / drainSeconds;

      long returnedStart = System.nanoTime();
      int returnedEvents =
          (int) (RETURNED_RATE * SETTLING_AFTER_DRAIN.plus(AFTER_DRAIN).toSeconds());
      pace(RETURNED_RATE, returnedEvents, "back-", returnedAcked);
      Eventually.await(
          "the returned endpoint's new deliveries",
          Duration.ofMinutes(1),
          () -> receiver.firstSightings("back-") == returnedEvents,
          done -> done);
      long end = System.nanoTime();
      others.shutdownNow();
      Eventually.await(
          "the other endpoints' deliveries",
          Duration.ofMinutes(1),
          () ->
              othersAcked.keySet().stream()
                  .allMatch(n -> receiver.firstSeen("others-" + n) != null),
          done -> done);

      printOthersBySecond(othersStart, pileUpStart, pileUpEnd, back, firstDelivered, drained);
      Percentiles leadIn = othersBetween(othersStart, pileUpStart);
      Percentiles piling = othersBetween(pileUpStart, pileUpEnd);
      Percentiles down = othersBetween(pileUpEnd, back);
      Percentiles draining = othersBetween(firstDelivered, drained);
      Percentiles after = othersBetween(drained, end);
      long settled = drained + SETTLING_AFTER_DRAIN.toNanos();
      Percentiles returned =
          lags("back-", returnedAcked, ack -> ack >= Math.max(settled, returnedStart));
      double ratio = drainPerSecond / rawPostCeiling;

      outage.put("backlog", BACKLOG);
      outage.put("others_rate", OTHERS_RATE);
      outage.put("others_p99_lead_in_ms", HeraldBenchmark.round(leadIn.millis(99)));
      outage.put("others_p99_piling_up_ms", HeraldBenchmark.round(piling.millis(99)));
      outage.put("others_p99_down_ms", HeraldBenchmark.round(down.millis(99)));
      outage.put("others_p99_draining_ms", HeraldBenchmark.round(draining.millis(99)));
      outage.put("others_p99_after_ms", HeraldBenchmark.round(after.millis(99)));
      outage.put("others_max_ms", HeraldBenchmark.round(maxOf(piling, down, draining, after)));
      outage.put("p99_target_ms", TARGET_P99_MS);
      // The endpoint is down while its backlog piles up too: that stretch counts.
      outage.put(
          "p99_met",
          piling.millis(99) <= TARGET_P99_MS
              && down.millis(99) <= TARGET_P99_MS
              && draining.millis(99) <= TARGET_P99_MS
              && returned.millis(99) <= TARGET_P99_MS);
      outage.put("requests_refused_while_down", refusedWhileDown);
      outage.put("found_back_after_s", HeraldBenchmark.round((firstDelivered - back) / 1e9));
      outage.put("drain_per_s", HeraldBenchmark.round(drainPerSecond));
      outage.put("ceiling_per_s", HeraldBenchmark.round(rawPostCeiling));
      outage.put("drain_ratio", HeraldBenchmark.round(ratio));
      outage.put("drain_ratio_target", TARGET_DRAIN_RATIO);
      outage.put("drain_ratio_met", ratio >= TARGET_DRAIN_RATIO);
      outage.put("returned_p99_ms", HeraldBenchmark.round(returned.millis(99)));
      results.put("outage", outage);

      table.add(
          String.format(
              Locale.ROOT,
              "outage: %,d piled up at %d/s to a down endpoint, %d/s to %d others throughout;"
                  + " %,d requests to it while down",
              BACKLOG,
              PILE_UP_RATE,
              OTHERS_RATE,
              OTHERS,
              refusedWhileDown));
      table.add(
          String.format(
              Locale.ROOT,
              "  others p99: %.2f ms in the first %d s alone, %.2f ms piling up, %.2f ms down,"
                  + " %.2f ms draining, %.2f ms after (max %.1f ms; target %.0f)",
              leadIn.millis(99),
              OTHERS_LEAD_IN.toSeconds(),
              piling.millis(99),
              down.millis(99),
              draining.millis(99),
              after.millis(99),
              maxOf(piling, down, draining, after),
              TARGET_P99_MS));
      table.add(
          String.format(
              Locale.ROOT,
              "  back: found by a probe in %.1f s; backlog drained at %8.0f/s, ceiling %8.0f/s:"
                  + " ratio %.2f (target %.1f); its new deliveries from 5 s after p99 %.2f ms",
              (firstDelivered - back) / 1e9,
              drainPerSecond,
              rawPostCeiling,
              ratio,
              TARGET_DRAIN_RATIO,
              returned.millis(99)));
    } finally {
      others.shutdownNow();
      receiver.down(DOWN_PATH, false);
      receiver.recordTimes(false);
    }
  }

  /**
   * Ingests {@code count} events of bots {@code prefix}0.. to the down endpoint's project at {@code
   * rate} a second; returns once all are acknowledged.
   */
  private void pace(int rate, int count, String prefix, Map<Long, Long> acked)
      throws InterruptedException {
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    AtomicLong sent = new AtomicLong();
    pacer.scheduleAtFixedRate(
        () -> {
          long n = sent.getAndIncrement();
          if (n < count) {
            OfferedLoad.ingestAsync(
                channel, DOWN_PROJECT, prefix + n, () -> acked.put(n, System.nanoTime()));
          }
        },
        0,
        1_000_000_000L / rate,
        TimeUnit.NANOSECONDS);
    try {
      Eventually.await(
          "events of " + prefix + " to be acknowledged",
          Duration.ofMinutes(5),
          () -> acked.size() == count,
          done -> done);
    } finally {
      pacer.shutdownNow();
    }
  }

  /** The earliest (or latest) first sight of the bots {@code prefix}0..{@code count - 1}. */
  private long firstSeen(String prefix, int count, boolean earliest) {
    List<Long> times = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      times.add(receiver.firstSeen(prefix + n));
    }
    return earliest
        ? times.stream().mapToLong(Long::longValue).min().orElseThrow()
        : times.stream().mapToLong(Long::longValue).max().orElseThrow();
  }

  /**
   * The others' lag by the second of their load each was sent in, with the seconds each stretch
   * began: whether a stretch's p99 comes of a moment, as the pause or the return, or of all of it.
   */
  private void printOthersBySecond(
      long othersStart,
      long pileUpStart,
      long pileUpEnd,
      long back,
      long firstDelivered,
      long drained) {
    Map<Long, Long> lagMicros = new HashMap<>();
    othersAcked.forEach((n, ack) -> lagMicros.put(n, lagMicros("others-", n, ack)));
    OfferedLoad.printBySecond(
        String.format(
            Locale.ROOT,
            "others' lag by second sent (piling up from %.0f s, down from %.0f s, back at %.0f s,"
                + " draining from %.0f s, drained at %.0f s)",
            (pileUpStart - othersStart) / 1e9,
            (pileUpEnd - othersStart) / 1e9,
            (back - othersStart) / 1e9,
            (firstDelivered - othersStart) / 1e9,
            (drained - othersStart) / 1e9),
        OTHERS_RATE,
        lagMicros);
  }

  /** The other endpoints' lags of the events acknowledged between the two times. */
  private Percentiles othersBetween(long from, long until) {
    return lags("others-", othersAcked, ack -> ack >= from && ack < until);
  }

  private Percentiles lags(String prefix, Map<Long, Long> acked, LongPredicate ackedWhen) {
    return new Percentiles(
        acked.entrySet().stream()
            .filter(e -> ackedWhen.test(e.getValue()))
            .mapToLong(e -> lagMicros(prefix, e.getKey(), e.getValue()))
            .toArray());
  }

  /**
   * From the acknowledgement of event {@code n} of a series to the receiver's first sight of it.
   */
  private long lagMicros(String prefix, long n, long ackedAt) {
    return Math.max(0, receiver.firstSeen(prefix + n) - ackedAt) / 1000;
  }

  private static double maxOf(Percentiles... stretches) {
    double max = 0;
    for (Percentiles p : stretches) {
      max = Math.max(max, p.maxMillis());
    }
    return max;
  }
}
