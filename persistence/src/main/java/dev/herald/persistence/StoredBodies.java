package dev.herald.persistence;

import dev.herald.domain.event.PayloadBuilder;
import java.util.UUID;

/**
 * A delivery's body as stored: its event's, with a placeholder key for all its deliveries (V13),
 * or, made before that, its own.
 */
final class StoredBodies {
  private StoredBodies() {}

  static String of(String own, String eventBody, UUID idempotencyKey) {
    return own != null ? own : PayloadBuilder.withKey(eventBody, idempotencyKey);
  }
}
