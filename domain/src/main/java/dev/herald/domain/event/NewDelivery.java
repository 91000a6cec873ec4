package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.webhook.Webhook;
import java.util.UUID;

/** A delivery that fan-out decided to make: one event to one webhook, body already built. */
public record NewDelivery(UUID id, Webhook webhook, String payload) {
  public NewDelivery {
    requireNonNull(id, "id");
    requireNonNull(webhook, "webhook");
    requireNonNull(payload, "payload");
  }

  /**
   * The key a subscriber dedupes by: the delivery's own id, unique as the key must be, so that the
   * key a subscriber quotes finds the delivery with {@code GetDelivery}, and nothing is stored for
   * it. (Deliveries made before V19 have keys of their own.)
   */
  public UUID idempotencyKey() {
    return id;
  }
}
