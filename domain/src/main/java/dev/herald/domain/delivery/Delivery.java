package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One event on its way to one webhook, with every attempt made so far. Times that have not
 * happened yet, and {@code failureReason} unless the delivery stopped early, are {@code null}.
 */
public record Delivery(
    UUID id,
    UUID idempotencyKey,
    String eventId,
    UUID webhookId,
    String projectId,
    String botId,
    String trigger,
    String url,
    DeliveryStatus status,
    int attemptCount,
    List<DeliveryAttempt> attempts,
    String payload,
    Instant createTime,
    Instant lastAttemptTime,
    Instant succeededTime,
    Instant nextAttemptTime,
    String failureReason) {

  public Delivery {
    requireNonNull(id, "id");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(status, "status");
    attempts = List.copyOf(attempts);
    requireNonNull(payload, "payload");
    requireNonNull(createTime, "createTime");
  }
}
