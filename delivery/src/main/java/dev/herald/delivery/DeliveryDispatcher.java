package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.delivery.RetryPolicy;
import dev.herald.domain.delivery.SendSlots;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls due deliveries from the queue and attempts them, built from parts with one job each, as a
 * worker in Temporal's SDK is: the {@link ClaimLoop} claims ahead of free slots into the {@link
 * WaitingRoom}, which holds the slots and lets claims start in turn; worker threads make the HTTP
 * calls, outside any transaction, and hand each outcome to the {@link AttemptRecorder}; the {@link
 * LeaseKeeper} renews leases until outcomes are recorded. This class wires them and runs the
 * workers.
 *
 * <p>Past 250 lines as one class because a worker's attempt, from its slot to its record and on to
 * the next claim that slot lets start, is one path whose slot accounting (every exit frees the slot
 * or hands the claim on) reads best whole.
 */
public final class DeliveryDispatcher implements DeliveryNotifier {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

  /**
   * Most claimed deliveries waiting for a slot: enough that the next claim is made while the work
   * already claimed keeps every slot busy, even when a claim takes 50 ms.
   */
  private static final int MAX_WAITING = 4 * ClaimLoop.MAX_BATCH;

  /** How long stopping waits for the records of finished attempts. */
  private static final Duration RECORDS_AT_STOP = Duration.ofSeconds(10);

  private final DeliveryQueue queue;
  private final WebhookSender sender;
  private final RetryPolicy retryPolicy;
  private final DeliveryConfig config;
  private final Clock clock;
  private final DeliveryMetrics metrics;
  private final WaitingRoom room;
  private final LeaseKeeper leases;
  private final WakeSignal wakes;
  private final KnownDueTime dueTimes;
  private final Pacer pacer;
  private final ClaimLoop claimLoop;
  private final EndpointPauses pauses;
  private final EndpointJudge endpoints;
  private volatile boolean running;
  private ExecutorService workers;
  private volatile AttemptRecorder recorder;
  private Thread loop;

  DeliveryDispatcher(
      DeliveryQueue queue,
      EndpointHealth health,
      WebhookSender sender,
      SendSlots slots,
      DeliveryConfig config,
      Clock clock,
      DeliveryMetrics metrics) {
    this.queue = requireNonNull(queue, "queue");
    this.sender = requireNonNull(sender, "sender");
    this.config = requireNonNull(config, "config");
    this.retryPolicy = config.retryPolicy();
    this.clock = requireNonNull(clock, "clock");
    this.metrics = requireNonNull(metrics, "metrics");
    this.room =
        new WaitingRoom(
            config.concurrency(),
            MAX_WAITING,
            Math.min(MAX_WAITING - ClaimLoop.MAX_BATCH, 8 * config.perEndpointConcurrency()),
            new ConcurrencyLimits(
                config.perEndpointConcurrency(),
                config.perProjectConcurrency(),
                config.perHostConcurrency()));
    this.leases = new LeaseKeeper(queue, clock, config.lease(), config.leaseRenewal());
    this.wakes = new WakeSignal(clock);
    this.dueTimes = new KnownDueTime(queue, config.pollInterval());
    this.pacer = new Pacer(slots, this::enterAtSlot, leases::giveBack, clock);
    this.pauses =
        new EndpointPauses(
            config.endpointPause(),
            requireNonNull(health, "health"),
            queue,
            metrics,
            clock,
            config.timeout().plus(config.lease()));
    this.endpoints = new EndpointJudge(health, pauses, metrics);
    this.claimLoop =
        new ClaimLoop(
            queue,
            room,
            leases,
            wakes,
            dueTimes,
            pacer,
            pauses,
            this::dispatchWaiting,
            config,
            clock);
    metrics.watch(room::slotsInUse, () -> recorder == null ? 0 : recorder.waitingCount());
  }

  /** Starts claiming and attempting deliveries, unless this process is configured not to. */
  public synchronized void start() {
    if (running || !config.enabled()) {
      return;
    }
    running = true;
    recorder = new AttemptRecorder(queue, this::recorded);
    recorder.start();
    AtomicInteger workerNumber = new AtomicInteger();
    workers =
        Executors.newFixedThreadPool(
            config.concurrency(),
            task -> daemon(task, "herald-delivery-" + workerNumber.incrementAndGet()));
    leases.start();
    loop = new Thread(claimLoop, "herald-dispatcher");
    loop.start();
    pauses.start(claimLoop::newWork);
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Stops claiming, lets attempts in flight finish within the delivery timeout and their records be
   * written, and gives back any claim not recorded, so another server (or this one, restarted)
   * makes it.
   */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    pauses.stop();
    claimLoop.stop();
    try {
      loop.join();
      pacer.stop();
      workers.shutdown();
      if (!workers.awaitTermination(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
      }
      recorder.stop(RECORDS_AT_STOP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    leases.stop();
  }

  @Override
  public void deliveriesCreated() {
    claimLoop.newWork();
  }

  /** A rate-limited webhook's claim whose send slot has come. */
  private void enterAtSlot(ClaimedDelivery claim) {
    room.add(List.of(claim));
    if (running) {
      dispatchWaiting();
    }
  }

  /** Starts every waiting claim that may start now. */
  private void dispatchWaiting() {
    room.takeStartable().forEach(this::start);
  }

  /** Starts the attempt on a worker; the waiting room took its slots. */
  private void start(ClaimedDelivery claim) {
    try {
      workers.execute(() -> work(claim));
    } catch (RejectedExecutionException stopping) {
      // Stopping: the claim stays held, and stopping gives it back.
      room.free(claim);
    }
  }

  /**
   * Attempts the claim, then, on the same thread, each next claim its attempt let start: handing
   * every attempt to an idle worker cost two thread switches per delivery while the slots were
   * busy.
   */
  private void work(ClaimedDelivery first) {
    ClaimedDelivery next = first;
    while (next != null) {
      next = attempt(next);
    }
  }

  /**
   * Starts the waiting claims that may start now but the first, which the calling worker takes on
   * itself; null if none may start.
   */
  private ClaimedDelivery startWaitingButOne() {
    if (!running) {
      return null;
    }
    List<ClaimedDelivery> startable = room.takeStartable();
    if (startable.isEmpty()) {
      return null;
    }
    startable.subList(1, startable.size()).forEach(this::start);
    return startable.get(0);
  }

  /** Attempts the claim; returns the next one this worker is to attempt, if any. */
  private ClaimedDelivery attempt(ClaimedDelivery claim) {
    if (pauses.holdsBack(claim)) {
      giveBack(claim);
      return null;
    }
    DeliveryAttempt attempt;
    try {
      attempt = sender.send(claim);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      leases.release(claim);
      room.free(claim);
      return null;
    } catch (RuntimeException | Error e) {
      // Its slots are freed either way, or they would be lost to every later delivery.
      log.error(
          "Attempt of delivery {} failed unexpectedly; it is due again when its lease ends",
          claim.id(),
          e);
      leases.forget(claim);
      room.free(claim);
      return null;
    }
    room.free(claim);
    ClaimedDelivery next = startWaitingButOne();
    try {
      afterAttempt(claim, attempt);
    } catch (RuntimeException | Error e) {
      if (next != null) {
        start(next);
      }
      throw e;
    }
    return next;
  }

  /** Tells the loop, the metrics and the recorder what came of the attempt. */
  private void afterAttempt(ClaimedDelivery claim, DeliveryAttempt attempt) {
    claimLoop.attemptEnded();
    metrics.attempted(claim, attempt);
    // A probe asks whether a paused endpoint is back: its failure never ends the delivery, which
    // waits with the rest of its endpoint's backlog (EndpointPauses).
    NextStep next =
        retryPolicy.after(
            attempt,
            claim.probe() ? 1 : claim.nextAttemptInRound(),
            clock.instant(),
            ThreadLocalRandom.current()::nextDouble);
    try {
      recorder.record(new AttemptOutcome(claim, attempt, next));
    } catch (InterruptedException e) {
      // Stopping and out of time: the claim stays held, and stopping gives it back.
      Thread.currentThread().interrupt();
    }
  }

  /** A claim of an endpoint paused since it was made goes back unattempted. */
  private void giveBack(ClaimedDelivery claim) {
    try {
      pauses.giveBack(claim);
      leases.forget(claim);
    } catch (RuntimeException e) {
      // Held until its lease runs out, then due again.
      log.warn("Could not give back delivery {}: {}", claim.id(), e.getMessage());
    }
    room.free(claim);
    if (running) {
      dispatchWaiting();
    }
  }

  /**
   * Stops holding the claim, and judges the endpoint on what the record found ({@link
   * EndpointJudge}). A retry it scheduled that falls due before the loop would wake by itself wakes
   * it, as nothing else would.
   */
  private void recorded(AttemptOutcome outcome, RecordedOutcome found) {
    leases.forget(outcome.claim());
    if (!found.held()) {
      return;
    }
    metrics.recorded(outcome);
    if (endpoints.afterRecord(outcome, found)) {
      claimLoop.newWork();
    }
    if (outcome.next() instanceof NextStep.RetryAt retry) {
      dueTimes.retryAt(retry.time());
      if (retry.time().isBefore(wakes.wakesAt())) {
        wakes.wake();
      }
    }
  }
}
