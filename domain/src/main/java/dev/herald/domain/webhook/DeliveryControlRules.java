package dev.herald.domain.webhook;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a subscriber may ask of its deliveries: an event-type filter of types as an ingested
 * event_type may be, none twice; a rate limit from 1 to {@link Limits#MAX_REQUESTS_PER_SECOND}.
 */
final class DeliveryControlRules {
  private DeliveryControlRules() {}

  /** The rate as given (zero for none), its problems added to {@code violations}. */
  static OptionalInt checkRate(int requestsPerSecond, Violations violations) {
    if (requestsPerSecond < 0 || requestsPerSecond > Limits.MAX_REQUESTS_PER_SECOND) {
      violations.add(
          "max_requests_per_second",
          "must be between 1 and " + Limits.MAX_REQUESTS_PER_SECOND + ", or 0 for no limit");
      return OptionalInt.empty();
    }
    return requestsPerSecond == 0 ? OptionalInt.empty() : OptionalInt.of(requestsPerSecond);
  }

  /** The filter as given, its problems added to {@code violations}; empty means every type. */
  static List<String> checkEventTypes(List<String> eventTypes, Violations violations) {
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
