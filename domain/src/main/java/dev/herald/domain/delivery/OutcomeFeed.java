package dev.herald.domain.delivery;

import java.util.function.Consumer;

/**
 * Attempt outcomes as they are recorded, by any server sharing the database. Listeners are called
 * on the feed's own thread and must not block it.
 */
public interface OutcomeFeed {
  /** Calls {@code listener} with every outcome recorded from now on, until the watch is closed. */
  Watch watch(Consumer<DeliveryOutcome> listener);

  /** A listener's registration; closing it stops the calls. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
