package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.webhook.Webhook;
import java.util.UUID;

/**
 * A delivery that fan-out decided to make: one event to one webhook. Its body is its event's, with
 * its own key ({@link PayloadBuilder#withKey}), made as it is sent or read.
 */
public record NewDelivery(UUID id, Webhook webhook) {
  public NewDelivery {
    requireNonNull(id, "id");
    requireNonNull(webhook, "webhook");
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
