package dev.herald.domain.delivery;

import java.time.Duration;
import java.util.UUID;

/**
 * The send slots of rate-limited webhooks, shared by every server: each attempt to such a webhook
 * takes a slot, and slots are {@code spacing} apart however many servers take them, so attempts
 * keep to the limit across all of them.
 */
public interface SendSlots {

  /**
   * Takes the webhook's next {@code count} slots, {@code spacing} apart.
   *
   * @return how long from now until the first of them
   */
  Duration take(UUID webhookId, Duration spacing, int count);

  /** The spacing of slots for a limit of {@code perSecond} requests a second, never closer. */
  static Duration spacing(int perSecond) {
    long micros = (1_000_000L + perSecond - 1) / perSecond;
    return Duration.ofNanos(micros * 1_000);
  }
}
