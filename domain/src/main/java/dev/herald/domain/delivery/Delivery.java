package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One event on its way to one webhook, with the attempts made so far (as read: at most {@link
 * dev.herald.domain.Limits#ATTEMPTS_SHOWN}, the newest, while {@code attemptCount} counts all).
 * Times that have not happened yet, and {@code failureReason} unless the delivery stopped early,
 * are {@code null}. {@code waitingInLine}: the delivery, to an ordered webhook, waits for an
 * earlier one of its bot to end, and has no next attempt time until then.
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
    String failureReason,
    boolean waitingInLine) {

  public Delivery {
    requireNonNull(id, "id");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(status, "status");
    attempts = List.copyOf(attempts);
    requireNonNull(payload, "payload");
    requireNonNull(createTime, "createTime");
  }

  /** Roughly how much text this delivery carries: its body and its attempts' responses. */
  public long characters() {
    long characters = payload.length();
    for (DeliveryAttempt attempt : attempts) {
      characters +=
          attempt.responseBody().length() + attempt.error().length() + attempt.url().length();
    }
    return characters;
  }
}
