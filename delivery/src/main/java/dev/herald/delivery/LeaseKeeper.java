package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claims this process holds (attempts in flight and claims waiting for a slot), with when each
 * one's lease ends, renewed before they run out until the attempt is recorded.
 */
final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final DeliveryQueue queue;
  private final Clock clock;
  private final Duration lease;
  private final Duration renewal;
  private final Map<ClaimedDelivery, Instant> held = new ConcurrentHashMap<>();
  private ScheduledExecutorService schedule;
  private ScheduledFuture<?> renewals;

  LeaseKeeper(DeliveryQueue queue, Clock clock, Duration lease, Duration renewal) {
    this.queue = requireNonNull(queue, "queue");
    this.clock = requireNonNull(clock, "clock");
    this.lease = requireNonNull(lease, "lease");
    this.renewal = requireNonNull(renewal, "renewal");
  }

  void start() {
    schedule =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "herald-leases");
              thread.setDaemon(true);
              return thread;
            });
    long every = renewal.toMillis();
    renewals =
        schedule.scheduleWithFixedDelay(this::renewEnding, every, every, TimeUnit.MILLISECONDS);
  }

  void hold(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
    claims.forEach(claim -> held.put(claim, leaseUntil));
  }

  /** Stops holding a claim: its attempt was recorded, or will never be. */
  void forget(ClaimedDelivery claim) {
    held.remove(claim);
  }

  int heldCount() {
    return held.size();
  }

  /**
   * Extends the leases that would otherwise run out before the renewal after next. In steady work a
   * claim is recorded within a second or two and never needs it; renewing every held claim each
   * time locked hundreds of rows that the records of those very deliveries then waited for.
   */
  void renewEnding() {
    Instant now = clock.instant();
    Instant renewBefore = now.plus(renewal.multipliedBy(2));
    List<ClaimedDelivery> ending =
        held.entrySet().stream()
            .filter(claim -> claim.getValue().isBefore(renewBefore))
            .map(Map.Entry::getKey)
            .toList();
    if (ending.isEmpty()) {
      return;
    }
    Instant leaseUntil = now.plus(lease);
    try {
      queue.renew(ending, leaseUntil);
      ending.forEach(claim -> held.replace(claim, leaseUntil));
    } catch (RuntimeException e) {
      log.warn("Could not renew delivery leases; trying again in {}", renewal, e);
    }
  }

  /** Gives a claim back to the queue at once, for another attempt by whoever claims it next. */
  void release(ClaimedDelivery claim) {
    giveBack(claim, clock.instant());
  }

  /** Gives a claim back to the queue unattempted, due again at {@code dueAt}. */
  void giveBack(ClaimedDelivery claim, Instant dueAt) {
    held.remove(claim);
    try {
      queue.release(claim, dueAt);
    } catch (RuntimeException e) {
      log.warn("Could not release delivery {}; it is due again when its lease ends", claim.id(), e);
    }
  }

  /** Stops renewing and gives back every claim still held. */
  void stop() {
    if (schedule != null) {
      renewals.cancel(false);
      schedule.shutdownNow();
    }
    List.copyOf(held.keySet()).forEach(this::release);
  }
}
