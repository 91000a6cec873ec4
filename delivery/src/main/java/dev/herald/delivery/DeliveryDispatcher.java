package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DirectDispatch;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.delivery.RetryPolicy;
import dev.herald.domain.delivery.SendSlots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Pulls due deliveries from the queue and attempts them, built from parts with one job each, as a
 * worker in Temporal's SDK is: the {@link ClaimLoop} claims ahead of free slots into the {@link
 * WaitingRoom}, which holds the slots and lets claims start in turn; the {@link Workers} make the
 * HTTP calls, outside any transaction, and hand each outcome to the {@link AttemptRecorder}; the
 * {@link LeaseKeeper} renews leases until outcomes are recorded. Deliveries this server's ingest
 * leased to it as it made them ({@link DirectDispatch}) join the claims in the waiting room. This
 * class wires them, starts and stops them, and acts on what each record found.
 */
public final class DeliveryDispatcher implements DeliveryNotifier, DirectDispatch {
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

  /** Whether deliveries leased at ingest are taken: from a complete start until a stop begins. */
  private volatile boolean taking;

  private volatile Workers workers;
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
            Math.min(
                MAX_WAITING - ClaimLoop.MAX_BATCH,
                ConcurrencyLimits.WAITING_ROUNDS * config.perEndpointConcurrency()),
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
            queue, room, leases, wakes, dueTimes, pacer, this::dispatchWaiting, config, clock);
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
    workers =
        new Workers(
            config.concurrency(),
            room,
            sender,
            leases,
            pauses,
            recorder,
            retryPolicy,
            metrics,
            clock,
            claimLoop::attemptEnded,
            () -> running);
    leases.start();
    loop = new Thread(claimLoop, "herald-dispatcher");
    loop.start();
    pauses.start(claimLoop::newWork, this::withdrawWaiting);
    taking = true;
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
    taking = false;
    running = false;
    pauses.stop();
    claimLoop.stop();
    try {
      loop.join();
      pacer.stop();
      workers.stop(config.timeout().plusSeconds(1));
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

  /** Room in the waiting room, beside the webhooks a claim would pass over now. */
  @Override
  public Opening opening() {
    if (!taking) {
      return Opening.CLOSED;
    }
    return new Opening(room.room(), claimLoop.busyWebhooks());
  }

  @Override
  public Duration lease() {
    return config.lease();
  }

  /**
   * Held and renewed as a claim's deliveries are. Should the dispatcher have stopped meanwhile,
   * they are not held: their leases run out and claims take them, here once restarted or elsewhere.
   */
  @Override
  public void take(List<ClaimedDelivery> claims, Instant leaseUntil) {
    if (!taking) {
      return;
    }
    leases.hold(claims, leaseUntil);
    room.add(pacer.pace(claims));
    dispatchWaiting();
  }

  /** A rate-limited webhook's claim whose send slot has come. */
  private void enterAtSlot(ClaimedDelivery claim) {
    room.add(List.of(claim));
    if (running) {
      dispatchWaiting();
    }
  }

  /**
   * Takes the webhook's waiting claims, other than probes, out of the waiting room and stops
   * renewing their leases: they are to go back to the queue unattempted.
   */
  private List<ClaimedDelivery> withdrawWaiting(UUID webhookId) {
    List<ClaimedDelivery> withdrawn = room.withdraw(webhookId, claim -> !claim.probe());
    withdrawn.forEach(leases::forget);
    return withdrawn;
  }

  /** Starts every waiting claim that may start now. */
  private void dispatchWaiting() {
    workers.startWaiting();
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
