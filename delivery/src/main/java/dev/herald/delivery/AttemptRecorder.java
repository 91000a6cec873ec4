package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.UnavailableException;
import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.RecordedOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records attempts apart from the threads that make them: a worker hands its outcome over and goes
 * on to its next attempt, and a recorder thread gathers what is handed over for {@link #GATHERING}
 * and writes it as one batch, while the other writes the batch before. Workers that waited for
 * their own records left their threads idle for the database's round trip; under load every worker
 * could be waiting at once, with deliveries claimed and slots free. Batches grow with the load, so
 * a slow write is followed by a larger one, not a queue of small ones.
 *
 * <p>At most {@link #CAPACITY} outcomes wait; beyond that, workers wait for room, so a database
 * that falls behind slows attempts down rather than filling memory.
 *
 * <p>Past 250 lines as one class because gathering, writing and the fallbacks for a refused record
 * share the batch and its two threads; the log lines are {@link RecordLog}'s.
 */
final class AttemptRecorder {
  private static final Logger log = LoggerFactory.getLogger(AttemptRecorder.class);

  /** Attempts written in one statement at most. */
  static final int MAX_BATCH = 128;

  static final int CAPACITY = 16 * MAX_BATCH;

  /**
   * Two batches at once: one is written while the next gathers, and the queue has connections for
   * both.
   */
  private static final int THREADS = 2;

  /**
   * How long a batch gathers from its first outcome: a record costs about the same for one attempt
   * as for fifteen (docs/performance.md, "The record"). Nobody waits on a record meanwhile: the
   * attempt's slot was freed when its response came in.
   */
  static final Duration GATHERING = Duration.ofMillis(10);

  /** How often an idle recorder looks whether it is stopping. */
  private static final long IDLE_CHECK_MS = 200;

  private static final long HELD_BACK_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final DeliveryQueue queue;
  private final BiConsumer<AttemptOutcome, RecordedOutcome> recorded;
  private final BlockingQueue<AttemptOutcome> pending = new ArrayBlockingQueue<>(CAPACITY);
  private final Duration gathering;

  /** Held by the thread gathering a batch: the other one writes, or waits its turn to gather. */
  private final Object gatherTurn = new Object();

  /** Notified when the recorder stops, so that a gathering batch is written at once. */
  private final Object stopSignal = new Object();

  private final List<Thread> threads = new ArrayList<>();
  private final RepeatedFailure unrecorded = new RepeatedFailure(Duration.ofSeconds(30));
  private volatile boolean stopping;
  private final AtomicLong lastHeldBackWarning =
      new AtomicLong(System.nanoTime() - HELD_BACK_WARNING_EVERY_NANOS);

  /**
   * @param recorded told of each outcome handed over once its record is written, with what storing
   *     it found, or once it has failed (as {@link RecordedOutcome#LOST})
   */
  AttemptRecorder(DeliveryQueue queue, BiConsumer<AttemptOutcome, RecordedOutcome> recorded) {
    this(queue, recorded, GATHERING);
  }

  /**
   * @param gathering how long a batch gathers from its first outcome
   */
  AttemptRecorder(
      DeliveryQueue queue,
      BiConsumer<AttemptOutcome, RecordedOutcome> recorded,
      Duration gathering) {
    this.queue = requireNonNull(queue, "queue");
    this.recorded = requireNonNull(recorded, "recorded");
    this.gathering = requireNonNull(gathering, "gathering");
  }

  void start() {
    for (int i = 1; i <= THREADS; i++) {
      Thread thread = new Thread(this::run, "herald-records-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Hands the outcome over to be recorded; waits while {@link #CAPACITY} outcomes wait already. */
  void record(AttemptOutcome outcome) throws InterruptedException {
    if (!pending.offer(outcome)) {
      warnHeldBack();
      pending.put(outcome);
    }
  }

  /** At most once a minute: attempts wait for the database, and an operator should know why. */
  private void warnHeldBack() {
    long now = System.nanoTime();
    long last = lastHeldBackWarning.get();
    if (now - last >= HELD_BACK_WARNING_EVERY_NANOS
        && lastHeldBackWarning.compareAndSet(last, now)) {
      log.warn(
          "{} attempts wait to be recorded; deliveries are held back until the database catches up",
          CAPACITY);
    }
  }

  /** Outcomes handed over and not yet taken into a batch. */
  int waitingCount() {
    return pending.size();
  }

  /** Records every outcome handed over before this call, within {@code within}, and stops. */
  void stop(Duration within) throws InterruptedException {
    stopping = true;
    synchronized (stopSignal) {
      stopSignal.notifyAll();
    }
    long deadline = System.nanoTime() + within.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
  }

  private void run() {
    List<AttemptOutcome> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (!(stopping && pending.isEmpty())) {
        synchronized (gatherTurn) {
          gather(batch);
        }
        if (!batch.isEmpty()) {
          try {
            write(batch);
          } catch (Error e) {
            // The recorder thread must outlive a bad batch; those claims' leases run out.
            log.error(
                "Recording {} attempts failed unexpectedly; they are due again when their leases"
                    + " end",
                batch.size(),
                e);
            batch.forEach(outcome -> recorded.accept(outcome, RecordedOutcome.LOST));
          }
          batch.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Adds to the batch what is handed over within {@code gathering} of its first outcome, up to a
   * full batch; nothing if no outcome comes while an idle recorder waits. The recorder waits out
   * the gathering rather than wake for each outcome: one wake-up per batch, not per attempt.
   * Stopping ends the gathering: what is waiting then is written at once.
   */
  private void gather(List<AttemptOutcome> batch) throws InterruptedException {
    AttemptOutcome first = pending.poll(IDLE_CHECK_MS, TimeUnit.MILLISECONDS);
    if (first == null) {
      return;
    }
    batch.add(first);
    long gathered = System.nanoTime() + gathering.toNanos();
    synchronized (stopSignal) {
      long left;
      while (!stopping
          && pending.size() < MAX_BATCH - 1
          && (left = gathered - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(stopSignal, left);
      }
    }
    pending.drainTo(batch, MAX_BATCH - 1);
  }

  /**
   * Writes the batch; if it fails, each outcome on its own, so one bad record fails only itself.
   */
  private void write(List<AttemptOutcome> batch) {
    try {
      List<RecordedOutcome> found = queue.recordAttempts(batch);
      unrecorded.succeeded();
      for (int i = 0; i < batch.size(); i++) {
        written(batch.get(i), found.get(i));
      }
    } catch (UnavailableException e) {
      // Nothing of the batch is stored; written one by one, each would fail the same way.
      if (unrecorded.failed()) {
        log.warn(
            "Attempts could not be recorded, the database is unavailable ({} batches in a row);"
                + " they are due again when their leases end",
            unrecorded.inARow());
      }
      batch.forEach(outcome -> recorded.accept(outcome, RecordedOutcome.LOST));
    } catch (RuntimeException e) {
      if (batch.size() > 1) {
        batch.forEach(outcome -> write(List.of(outcome)));
        return;
      }
      writeAlone(batch.get(0), e);
    }
  }

  /**
   * An outcome whose record was refused alone, for its content: sending it again would bring the
   * same refusal for ever, so the delivery ends, with the attempt recorded without its response.
   */
  private void writeAlone(AttemptOutcome outcome, RuntimeException failure) {
    ClaimedDelivery claim = outcome.claim();
    log.error(
        "Attempt of delivery {} could not be recorded; ending the delivery without its response",
        claim.id(),
        failure);
    AttemptOutcome ended = outcome.unrecordable();
    try {
      written(ended, queue.recordAttempts(List.of(ended)).get(0));
    } catch (RuntimeException e) {
      log.error(
          "Attempt of delivery {} could not be recorded; it is due again when its lease ends",
          claim.id(),
          e);
      recorded.accept(outcome, RecordedOutcome.LOST);
    }
  }

  private void written(AttemptOutcome outcome, RecordedOutcome found) {
    RecordLog.written(outcome, found);
    recorded.accept(outcome, found);
  }
}
