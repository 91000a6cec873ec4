package dev.herald.persistence;

import dev.herald.domain.event.PayloadBuilder;
import java.util.UUID;

/**
 * A delivery's body as stored: its event's, with a placeholder key for all its deliveries (V13),
 * packed ({@link PackedBodies}) or, stored before V18, as text; or, made before V13, its own.
 */
final class StoredBodies {
  private StoredBodies() {}

  static String of(String own, byte[] eventBody, UUID idempotencyKey) {
    return own != null
        ? own
        : PayloadBuilder.withKey(PackedBodies.unpack(eventBody), idempotencyKey);
  }
}
