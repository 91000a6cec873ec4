package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Violations;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.util.UUID;

/** What operators look at: deliveries and every attempt. */
public final class DeliveryQueryService {
  private final DeliveryRepository deliveries;

  public DeliveryQueryService(DeliveryRepository deliveries) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
  }

  public Delivery get(ProjectScope scope, UUID id) {
    Delivery delivery = deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", id));
    scope.requireVisible(delivery.projectId(), "delivery", id);
    return delivery;
  }

  public Page<Delivery> list(ProjectScope scope, DeliveryFilter filter, PageRequest page) {
    Violations violations = new Violations();
    violations.requireToken("project_id", filter.projectId(), Limits.ID_LENGTH);
    filter.botId().ifPresent(bot -> violations.requireToken("bot_id", bot, Limits.ID_LENGTH));
    violations.throwIfAny();
    scope.requireProject(filter.projectId());
    return deliveries.list(filter, page);
  }
}
