package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Violations;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.util.UUID;

/** What operators look at: deliveries and every attempt. */
public final class DeliveryQueryService {
  private final DeliveryRepository deliveries;

  public DeliveryQueryService(DeliveryRepository deliveries) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
  }

  public Delivery get(UUID id) {
    return deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", id));
  }

  public Page<Delivery> list(DeliveryFilter filter, PageRequest page) {
    Violations violations = new Violations();
    violations.requireToken("project_id", filter.projectId(), Limits.ID_LENGTH);
    filter.botId().ifPresent(bot -> violations.requireToken("bot_id", bot, Limits.ID_LENGTH));
    violations.throwIfAny();
    return deliveries.list(filter, page);
  }
}
