package dev.herald.domain.webhook;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A webhook's event-type filter: each type as an ingested event_type may be, none twice. */
final class EventTypeRules {
  private EventTypeRules() {}

  /** The filter as given, its problems added to {@code violations}; empty means every type. */
  static List<String> check(List<String> eventTypes, Violations violations) {
    if (eventTypes.size() > Limits.EVENT_TYPES) {
      violations.add("event_types", "must have at most " + Limits.EVENT_TYPES + " entries");
      return List.of();
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < eventTypes.size(); i++) {
      String field = "event_types[" + i + "]";
      String type = eventTypes.get(i);
      if (type == null || type.isEmpty()) {
        violations.add(field, "must not be empty");
      } else if (!seen.add(type)) {
        violations.add(field, "is listed twice");
      } else {
        violations.optionalText(field, type, Limits.STATE_LENGTH);
      }
    }
    return List.copyOf(eventTypes);
  }
}
