package dev.herald.domain.delivery;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.util.Optional;
import java.util.UUID;

/** Reading deliveries with their attempts. */
public interface DeliveryRepository {

  Optional<Delivery> find(UUID id);

  /** Newest first. */
  Page<Delivery> list(DeliveryFilter filter, PageRequest page);
}
