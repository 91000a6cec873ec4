package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One attempt as it was recorded, and the status its delivery has after it: what a watcher sees.
 */
public record DeliveryOutcome(
    UUID deliveryId,
    String projectId,
    UUID webhookId,
    String botId,
    DeliveryStatus status,
    int attemptNumber,
    int responseStatusCode,
    String error,
    Duration duration,
    Instant attemptTime) {

  public DeliveryOutcome {
    requireNonNull(deliveryId, "deliveryId");
    requireNonNull(projectId, "projectId");
    requireNonNull(webhookId, "webhookId");
    requireNonNull(botId, "botId");
    requireNonNull(status, "status");
    requireNonNull(error, "error");
    requireNonNull(duration, "duration");
    requireNonNull(attemptTime, "attemptTime");
  }

  /** The outcome an attempt's record describes. */
  public static DeliveryOutcome of(AttemptOutcome recorded) {
    ClaimedDelivery claim = recorded.claim();
    DeliveryAttempt attempt = recorded.attempt();
    NextStep next = recorded.next();
    DeliveryStatus status =
        next instanceof NextStep.Succeed
            ? DeliveryStatus.SUCCEEDED
            : next instanceof NextStep.RetryAt ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
    return new DeliveryOutcome(
        claim.id(),
        claim.projectId(),
        claim.webhookId(),
        claim.botId(),
        status,
        attempt.attemptNumber(),
        attempt.responseStatusCode(),
        attempt.error(),
        attempt.duration(),
        attempt.startTime());
  }

  /** Whether the outcome is one the filter asks for; an empty project means every project. */
  public boolean matches(DeliveryFilter filter) {
    return (filter.projectId().isEmpty() || filter.projectId().equals(projectId))
        && filter.webhookId().map(webhookId::equals).orElse(true)
        && filter.botId().map(botId::equals).orElse(true)
        && filter.status().map(status::equals).orElse(true);
  }
}
