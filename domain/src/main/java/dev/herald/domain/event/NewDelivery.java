package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.webhook.Webhook;
import java.util.UUID;

/** A delivery that fan-out decided to make: one event to one webhook, body already built. */
public record NewDelivery(UUID id, UUID idempotencyKey, Webhook webhook, String payload) {
  public NewDelivery {
    requireNonNull(id, "id");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(webhook, "webhook");
    requireNonNull(payload, "payload");
  }
}
