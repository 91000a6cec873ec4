package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that make the HTTP calls: each attempts a claim the {@link WaitingRoom} let start,
 * outside any transaction, hands the outcome to the {@link AttemptRecorder}, and goes on itself
 * with the next claim its freed slot lets start. Every way out of an attempt frees the claim's
 * slots or hands the claim on, or they would be lost to every later delivery.
 */
final class Workers {
  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  private final WaitingRoom room;
  private final WebhookSender sender;
  private final LeaseKeeper leases;
  private final EndpointPauses pauses;
  private final AttemptRecorder recorder;
  private final RetryPolicy retryPolicy;
  private final DeliveryMetrics metrics;
  private final Clock clock;

  /** Told when an attempt ends, before its outcome is recorded: its slots are free. */
  private final Runnable attemptEnded;

  /** Whether the dispatcher still runs: once it stops, waiting claims stay held and go back. */
  private final BooleanSupplier running;

  private final ExecutorService threads;

  Workers(
      int count,
      WaitingRoom room,
      WebhookSender sender,
      LeaseKeeper leases,
      EndpointPauses pauses,
      AttemptRecorder recorder,
      RetryPolicy retryPolicy,
      DeliveryMetrics metrics,
      Clock clock,
      Runnable attemptEnded,
      BooleanSupplier running) {
    this.room = requireNonNull(room, "room");
    this.sender = requireNonNull(sender, "sender");
    this.leases = requireNonNull(leases, "leases");
    this.pauses = requireNonNull(pauses, "pauses");
    this.recorder = requireNonNull(recorder, "recorder");
    this.retryPolicy = requireNonNull(retryPolicy, "retryPolicy");
    this.metrics = requireNonNull(metrics, "metrics");
    this.clock = requireNonNull(clock, "clock");
    this.attemptEnded = requireNonNull(attemptEnded, "attemptEnded");
    this.running = requireNonNull(running, "running");
    AtomicInteger number = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            count,
            task -> {
              Thread thread = new Thread(task, "herald-delivery-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts every waiting claim that may start now. */
  void startWaiting() {
    room.takeStartable().forEach(this::start);
  }

  /** Lets attempts in flight finish within {@code within}, then interrupts what is left. */
  void stop(Duration within) throws InterruptedException {
    threads.shutdown();
    if (!threads.awaitTermination(within.toMillis(), TimeUnit.MILLISECONDS)) {
      threads.shutdownNow();
      threads.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Starts the attempt on a thread; the waiting room took its slots. */
  private void start(ClaimedDelivery claim) {
    try {
      threads.execute(() -> work(claim));
    } catch (RejectedExecutionException stopping) {
      // Stopping: the claim stays held, and stopping gives it back.
      room.free(claim);
    }
  }

  /**
   * Attempts the claim, then, on the same thread, each next claim its attempt let start: handing
   * every attempt to an idle thread cost two thread switches per delivery while the slots were
   * busy.
   */
  private void work(ClaimedDelivery first) {
    ClaimedDelivery next = first;
    while (next != null) {
      next = attempt(next);
    }
  }

  /** Attempts the claim; returns the next one this thread is to attempt, if any. */
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

  /**
   * Starts the waiting claims that may start now but the first, which the calling thread takes on
   * itself; null if none may start.
   */
  private ClaimedDelivery startWaitingButOne() {
    if (!running.getAsBoolean()) {
      return null;
    }
    List<ClaimedDelivery> startable = room.takeStartable();
    if (startable.isEmpty()) {
      return null;
    }
    startable.subList(1, startable.size()).forEach(this::start);
    return startable.get(0);
  }

  /** Tells the claim loop, the metrics and the recorder what came of the attempt. */
  private void afterAttempt(ClaimedDelivery claim, DeliveryAttempt attempt) {
    attemptEnded.run();
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
      pauses.giveBack(List.of(claim));
      leases.forget(claim);
    } catch (RuntimeException e) {
      // Held until its lease runs out, then due again.
      log.warn("Could not give back delivery {}: {}", claim.id(), e.getMessage());
    }
    room.free(claim);
    if (running.getAsBoolean()) {
      startWaiting();
    }
  }
}
