package dev.herald.domain.delivery;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The work queue the dispatcher pulls from. Claims are leases: a delivery whose lease ends without
 * an attempt being recorded (its worker died) is due again.
 */
public interface DeliveryQueue {

  /**
   * Leases up to {@code max} deliveries due at {@code now}, earliest first, until {@code
   * leaseUntil}, skipping those of {@code busyWebhooks}.
   */
  List<ClaimedDelivery> claimDue(int max, Instant now, Instant leaseUntil, Set<UUID> busyWebhooks);

  /** Extends the leases still held by {@code claims}. */
  void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil);

  /**
   * Stores the attempts and moves each delivery on, if its claim still holds the lease. A delivery
   * that ends FAILED counts against its webhook, one that succeeds clears the count; what follows
   * from the count is {@link EndpointHealth}'s to decide. Either every outcome is stored or, when
   * this throws, none is.
   *
   * @return for each outcome, in order, what storing it found
   */
  List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes);

  /** {@link #recordAttempts} for one attempt. */
  default RecordedOutcome recordAttempt(
      ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next) {
    return recordAttempts(List.of(new AttemptOutcome(claim, attempt, next))).get(0);
  }

  /** Gives a claimed delivery back unattempted, due again at {@code dueAt}. */
  void release(ClaimedDelivery claim, Instant dueAt);

  /**
   * When the earliest pending delivery not held under a running lease is due, if any is. (A lease
   * that runs out later is noticed at the dispatcher's next poll.)
   */
  Optional<Instant> nextDueTime(Instant now);
}
