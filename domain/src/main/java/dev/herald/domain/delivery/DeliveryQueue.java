package dev.herald.domain.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The work queue the dispatcher pulls from. Claims are leases: a delivery whose lease ends without
 * an attempt being recorded (its worker died) is due again.
 */
public interface DeliveryQueue {
  /** The {@code dueSince} of a claim that reads every due delivery: none is due before it. */
  Instant ALL_DUE = Instant.EPOCH;

  /**
   * Leases up to {@code max} deliveries due at {@code now} and not before {@code dueSince},
   * earliest first, until {@code leaseUntil}, skipping those of {@code busyWebhooks}.
   */
  List<ClaimedDelivery> claimDue(
      int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busyWebhooks);

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
   * Pauses the webhook's endpoint as unreachable, if it is not already, and parks its deliveries
   * not held by a claim: none is due until a probe is let go or the endpoint is resumed. The next
   * probe is due at {@code nextProbe} applied to the time the pause began. Asked again while the
   * endpoint is paused, it sets the next probe only; a delivery that was due nonetheless (made as
   * the pause began) is parked when its attempt's failure is recorded.
   *
   * @return since when the endpoint is paused; empty if the webhook is deleted or inactive
   */
  Optional<Instant> pauseEndpoint(UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe);

  /**
   * Ends the pause of the webhook's endpoint, if it is paused: its parked deliveries are claimed
   * from now on, oldest first (an ordered webhook's in each bot's order).
   *
   * @return whether the endpoint was paused
   */
  boolean resumeEndpoint(UUID webhookId, Instant now);

  /**
   * Makes one parked delivery due for each paused endpoint whose probe time has come, and moves its
   * probe time past {@code probeLease}, so that one probe at a time is in flight.
   *
   * @return how many probes were let go
   */
  int releaseProbes(Instant now, Duration probeLease);

  /**
   * Gives claimed deliveries back unattempted, at once: each parked if its webhook's endpoint is
   * paused, due at {@code now} otherwise. A claim no longer held is left as it is.
   *
   * @return the webhooks of the claims made due, their endpoints no longer paused
   */
  Set<UUID> park(List<ClaimedDelivery> claims, Instant now);

  /**
   * When the earliest pending delivery not held under a running lease is due, if any is. (A lease
   * that runs out later is noticed at the dispatcher's next poll.)
   */
  Optional<Instant> nextDueTime(Instant now);
}
