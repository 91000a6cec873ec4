package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

/** An attempt made under {@code claim}, and where its delivery goes next: what a record stores. */
public record AttemptOutcome(ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next) {

  public AttemptOutcome {
    requireNonNull(claim, "claim");
    requireNonNull(attempt, "attempt");
    requireNonNull(next, "next");
  }
}
