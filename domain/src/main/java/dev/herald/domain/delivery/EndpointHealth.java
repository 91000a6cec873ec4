package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.webhook.WebhookRepository;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides, after an outcome is stored, whether its webhook is to be disabled: at once when the
 * receiver answered 410 Gone, or when the policy's count of deliveries failed in a row is reached.
 * A disabled webhook's pending deliveries end FAILED.
 *
 * <p>The decision follows the record in a transaction of its own. Should it be lost (the database
 * went away in between), the webhook's count has already passed the policy's mark, and the next
 * delivery to fail disables it.
 */
public final class EndpointHealth {
  /** The failure reason of the pending deliveries a disabling ends, around its own reason. */
  static final String PENDING_ENDED = "webhook disabled (%s)";

  /** Why a webhook was disabled. */
  public enum Cause {
    /** The receiver answered 410 Gone. */
    GONE,
    /** Deliveries in a row failed. */
    FAILURES,
    /** The endpoint stayed paused as unreachable for the whole span allowed. */
    UNREACHABLE
  }

  /** What disabling needs of the stored webhooks: {@link WebhookRepository#disable}. */
  @FunctionalInterface
  public interface Webhooks {
    boolean disable(UUID id, String reason, String endPendingReason, Instant at);
  }

  private final EndpointHealthPolicy policy;
  private final Webhooks webhooks;

  public EndpointHealth(EndpointHealthPolicy policy, Webhooks webhooks) {
    this.policy = requireNonNull(policy, "policy");
    this.webhooks = requireNonNull(webhooks, "webhooks");
  }

  /**
   * Disables the outcome's webhook if the outcome condemns it.
   *
   * @return why, when this call disabled it (a webhook already disabled is left as it is)
   */
  public Optional<Cause> afterRecord(AttemptOutcome outcome, RecordedOutcome recorded) {
    if (!recorded.held()) {
      return Optional.empty();
    }
    if (outcome.next() instanceof NextStep.DisableWebhook gone) {
      return disable(outcome, gone.reason(), Cause.GONE);
    }
    if (outcome.next() instanceof NextStep.Fail) {
      Optional<String> reason = policy.disableReason(recorded.webhookFailuresInARow());
      if (reason.isPresent()) {
        return disable(outcome, reason.get(), Cause.FAILURES);
      }
    }
    return Optional.empty();
  }

  /**
   * Disables a webhook whose endpoint has been unreachable since {@code since}, if the pause policy
   * gives up on it at {@code now}.
   *
   * @return whether this call disabled it
   */
  public boolean afterUnreachable(
      UUID webhookId, Instant since, Instant now, EndpointPausePolicy pauses) {
    if (!pauses.givesUp(since, now)) {
      return false;
    }
    String reason = "unreachable since " + since;
    return webhooks.disable(webhookId, reason, PENDING_ENDED.formatted(reason), now);
  }

  private Optional<Cause> disable(AttemptOutcome outcome, String reason, Cause cause) {
    boolean disabled =
        webhooks.disable(
            outcome.claim().webhookId(),
            reason,
            PENDING_ENDED.formatted(reason),
            outcome.attempt().startTime());
    return disabled ? Optional.of(cause) : Optional.empty();
  }
}
