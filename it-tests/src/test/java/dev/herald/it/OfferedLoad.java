package dev.herald.it;

import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * The benchmark's steady loads: state changes to one project's webhook at a fixed rate, each of a
 * bot named as the event so the receiver can tell when each arrived, timed from the acknowledgement
 * to the receiver's first sight of it.
 *
 * <p>Past 250 lines as one class because the warm-up, the loads and the per-second lag report share
 * the channel, the receiver's clock and the server they measure.
 */
final class OfferedLoad {
  private final ServerProcess server;
  private final ManagedChannel channel;
  private final FastReceiver receiver;
  private final String project;

  /** After the warm-up's first stretch, rounds of this until the JIT compiler rests. */
  static final Duration WARM_UP_ROUND = Duration.ofSeconds(10);

  OfferedLoad(ServerProcess server, ManagedChannel channel, FastReceiver receiver, String project) {
    this.server = server;
    this.channel = channel;
    this.receiver = receiver;
    this.project = project;
  }

  /**
   * The lags of the events sent in a load's first seconds and of those sent after, and how long the
   * ingest calls of those after took.
   */
  record Lags(Percentiles step, Percentiles steady, Percentiles ingest) {}

  /**
   * Ingests flat out for {@code length}, then in rounds until the JIT compiler rests: the
   * compiler's work done before a measured load. Says in the log how long it took.
   */
  void warmUp(Duration length) throws Exception {
    ingestFlatOut(length);
    JitCompiler.Warmth warmth = server.warmUp(() -> ingestFlatOut(WARM_UP_ROUND));
    System.out.printf(
        Locale.ROOT,
        "warm-up: %d s, then %d rounds of %d s; the JIT compiler %.0f%% of the server's CPU in the"
            + " last%n",
        length.toSeconds(),
        warmth.rounds(),
        WARM_UP_ROUND.toSeconds(),
        100 * warmth.compilerShare());
  }

  /** Ingests with 64 calls in flight for {@code length}, then waits until all is delivered. */
  private void ingestFlatOut(Duration length) throws InterruptedException {
    receiver.recordTimes(false);
    receiver.reset();
    Semaphore slots = new Semaphore(64);
    AtomicLong acknowledged = new AtomicLong();
    long end = System.nanoTime() + length.toNanos();
    for (long n = 0; System.nanoTime() < end; n++) {
      slots.acquire();
      ingest(
          "warm-" + n,
          () -> {
            acknowledged.incrementAndGet();
            slots.release();
          });
    }
    slots.acquire(64);
    Eventually.await(
        "the warm-up's events to be delivered",
        Duration.ofMinutes(2),
        () -> receiver.received() >= acknowledged.get(),
        done -> done);
    receiver.recordTimes(true);
  }

  private void ingest(String bot, Runnable done) {
    ingestAsync(channel, project, bot, done);
  }

  /** One state change of {@code bot}, {@code done} run once it is acknowledged. */
  static void ingestAsync(ManagedChannel channel, String project, String bot, Runnable done) {
    IngestionServiceGrpc.newStub(channel)
        .ingestStateChange(
            Requests.stateChange(project, bot).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(IngestStateChangeResponse value) {}

              @Override
              public void onError(Throwable t) {
                throw new IllegalStateException("ingest failed", t);
              }

              @Override
              public void onCompleted() {
                done.run();
              }
            });
  }

  /**
   * Ingests {@code rate} events a second to one webhook for {@code leadIn} and then {@code length};
   * the time from each acknowledgement to the receiver's first sight of the event. The lead-in's
   * events are the step from the load before (a tenth of this one, or none), counted apart: at
   * 1,000/s after 100/s the first second's deliveries fall 200-300 ms behind while threads,
   * connections and batches grow to the new rate.
   */
  Lags offer(String label, int rate, Duration leadIn, Duration length) throws Exception {
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
    int leadInEvents = (int) (rate * leadIn.toSeconds());
    int total = leadInEvents + (int) (rate * length.toSeconds());
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    LocalTime started = LocalTime.now();
    AtomicLong sent = new AtomicLong();
    CountDownLatch acks = new CountDownLatch(total);
    long periodNanos = 1_000_000_000L / rate;
    pacer.scheduleAtFixedRate(
        () -> {
          long n = sent.incrementAndGet();
          if (n > total) {
            return;
          }
          sentAt.put(n, System.nanoTime());
          ingest(
              label + "-" + n,
              () -> {
                acknowledged.put(n, System.nanoTime());
                acks.countDown();
              });
        },
        0,
        periodNanos,
        TimeUnit.NANOSECONDS);
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    watchdog.scheduleWithFixedDelay(
        new StallWatch(
            server,
            receiver,
            label,
            () ->
                acknowledged.keySet().stream()
                    .anyMatch(n -> receiver.firstSeen(label + "-" + n) == null)),
        1,
        1,
        TimeUnit.SECONDS);
    acks.await(leadIn.toSeconds() + length.toSeconds() + 60, TimeUnit.SECONDS);
    pacer.shutdownNow();
    Eventually.await(
        "every acknowledged event to be delivered",
        Duration.ofSeconds(60),
        () ->
            acknowledged.keySet().stream()
                .allMatch(n -> receiver.firstSeen(label + "-" + n) != null),
        done -> done);
    Map<Long, Long> lagMicros = new TreeMap<>();
    Map<Long, Long> ackMicros = new TreeMap<>();
    acknowledged.forEach(
        (n, ack) -> {
          lagMicros.put(n, Math.max(0, receiver.firstSeen(label + "-" + n) - ack) / 1000);
          ackMicros.put(n, (ack - sentAt.get(n)) / 1000);
        });
    watchdog.shutdownNow();
    printBySecond("lag by second sent, " + label + " from " + started, rate, lagMicros);
    printBySecond("ingest call by second sent, " + label + " from " + started, rate, ackMicros);
    return new Lags(
        lagsOf(lagMicros, n -> n <= leadInEvents),
        lagsOf(lagMicros, n -> n > leadInEvents),
        lagsOf(ackMicros, n -> n > leadInEvents));
  }

  private static Percentiles lagsOf(Map<Long, Long> lagMicros, LongPredicate sequence) {
    return new Percentiles(
        lagMicros.entrySet().stream()
            .filter(lag -> sequence.test(lag.getKey()))
            .mapToLong(Map.Entry::getValue)
            .toArray());
  }

  /**
   * Saves a thread dump of the server when nothing has reached the receiver for 3 s while
   * acknowledged events wait to be delivered (at most three per phase): what the dispatcher was
   * doing while it delivered nothing.
   */
  private static final class StallWatch implements Runnable {
    private final ServerProcess server;
    private final FastReceiver receiver;
    private final String label;
    private final BooleanSupplier anyUndelivered;
    private long lastReceived = -1;
    private int stillSeconds;
    private int dumps;

    StallWatch(
        ServerProcess server, FastReceiver receiver, String label, BooleanSupplier anyUndelivered) {
      this.server = server;
      this.receiver = receiver;
      this.label = label;
      this.anyUndelivered = anyUndelivered;
    }

    @Override
    public void run() {
      long received = receiver.received();
      if (received != lastReceived) {
        lastReceived = received;
        stillSeconds = 0;
        return;
      }
      if (++stillSeconds % 3 == 0 && dumps < 3 && anyUndelivered.getAsBoolean()) {
        dumps++;
        try {
          server.saveThreadDump(label);
        } catch (Exception e) {
          System.out.println("no thread dump: " + e);
        }
      }
    }
  }

  /**
   * Each second's median and slowest time, by when the events were sent: a stall shows as a few bad
   * seconds, a queue the machine cannot clear as times that grow, a cold server as times that fall.
   * Printed for the lag and for the ingest calls, to tell a stalled dispatcher from a stalled
   * server.
   */
  static void printBySecond(String title, int rate, Map<Long, Long> microsBySequence) {
    Map<Long, List<Long>> bySecond = new TreeMap<>();
    microsBySequence.forEach(
        (n, micros) ->
            bySecond.computeIfAbsent((n - 1) / rate, s -> new ArrayList<>()).add(micros));
    StringBuilder line = new StringBuilder(title + " (p50/max ms):");
    bySecond.forEach(
        (second, lags) -> {
          lags.sort(null);
          line.append(
              String.format(
                  Locale.ROOT,
                  " %d:%d/%d",
                  second,
                  lags.get(lags.size() / 2) / 1000,
                  lags.get(lags.size() - 1) / 1000));
        });
    System.out.println(line);
  }
}
