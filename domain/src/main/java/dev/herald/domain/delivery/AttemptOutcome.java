package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

/** An attempt made under {@code claim}, and where its delivery goes next: what a record stores. */
public record AttemptOutcome(ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next) {

  public AttemptOutcome {
    requireNonNull(claim, "claim");
    requireNonNull(attempt, "attempt");
    requireNonNull(next, "next");
  }

  /**
   * The outcome to record when this one's record was refused for its content: the attempt without
   * its response, and the delivery ended rather than attempted again, since sending it again would
   * bring the same response and the same refusal. An attempt that succeeded still ends the delivery
   * as succeeded; the receiver has it.
   */
  public AttemptOutcome unrecordable() {
    DeliveryAttempt stripped =
        attempt.withoutResponse("the attempt's record was refused; its response is not kept");
    return new AttemptOutcome(
        claim, stripped, attempt.succeeded() ? new NextStep.Succeed() : new NextStep.Fail());
  }
}
