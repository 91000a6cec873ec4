package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Violations;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/** What operators look at: deliveries and every attempt. */
public final class DeliveryQueryService {
  private final DeliveryRepository deliveries;
  private final OutcomeFeed outcomes;

  public DeliveryQueryService(DeliveryRepository deliveries, OutcomeFeed outcomes) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
    this.outcomes = requireNonNull(outcomes, "outcomes");
  }

  /**
   * Calls {@code listener} with every outcome the filter matches, recorded by any server from now
   * until the watch is closed. Checked as a listing is; the project may be left empty by a global
   * key, to watch every project.
   */
  public OutcomeFeed.Watch watch(
      ProjectScope scope, DeliveryFilter filter, Consumer<DeliveryOutcome> listener) {
    Violations violations = new Violations();
    if (!filter.projectId().isEmpty() || !scope.isGlobal()) {
      violations.requireToken("project_id", filter.projectId(), Limits.ID_LENGTH);
    }
    filter.botId().ifPresent(bot -> violations.requireToken("bot_id", bot, Limits.ID_LENGTH));
    violations.throwIfAny();
    if (!filter.projectId().isEmpty()) {
      scope.requireProject(filter.projectId());
    }
    return outcomes.watch(
        outcome -> {
          if (outcome.matches(filter)) {
            listener.accept(outcome);
          }
        });
  }

  public Delivery get(ProjectScope scope, UUID id) {
    Delivery delivery =
        deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", id));
    scope.requireVisible(delivery.projectId(), "delivery", id);
    return delivery;
  }

  public Page<Delivery> list(ProjectScope scope, DeliveryFilter filter, PageRequest page) {
    Violations violations = new Violations();
    violations.requireToken("project_id", filter.projectId(), Limits.ID_LENGTH);
    filter.botId().ifPresent(bot -> violations.requireToken("bot_id", bot, Limits.ID_LENGTH));
    violations.throwIfAny();
    scope.requireProject(filter.projectId());
    return withinCharacters(deliveries.list(filter, page), Limits.DELIVERY_PAGE_CHARACTERS);
  }

  /**
   * The page cut short, after at least one delivery, where its text passes {@code max}; the next
   * page then starts after the last one kept. Bodies of up to 64 KiB and 25 attempts each would
   * otherwise make a page of 200 larger than clients accept (gRPC's default is 4 MiB).
   */
  static Page<Delivery> withinCharacters(Page<Delivery> page, long max) {
    List<Delivery> items = page.items();
    long characters = 0;
    int kept = 0;
    while (kept < items.size()) {
      characters += items.get(kept).characters();
      if (kept > 0 && characters > max) {
        break;
      }
      kept++;
    }
    if (kept == items.size()) {
      return page;
    }
    Delivery last = items.get(kept - 1);
    return new Page<>(
        items.subList(0, kept), Optional.of(new PageCursor(last.createTime(), last.id())));
  }
}
