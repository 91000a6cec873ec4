package dev.herald.domain.delivery;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Reading deliveries with their attempts. */
public interface DeliveryRepository {

  Optional<Delivery> find(UUID id);

  /** Newest first. */
  Page<Delivery> list(DeliveryFilter filter, PageRequest page);

  /**
   * Makes a delivery that is not pending due at {@code now} for a fresh round of attempts.
   *
   * @return false when it was pending (nothing changed)
   */
  boolean requeue(UUID id, Instant now);

  /**
   * {@link #requeue}s the webhook's FAILED deliveries created in [since, until); returns how many.
   */
  int requeueFailed(String projectId, UUID webhookId, Instant since, Instant until, Instant now);
}
