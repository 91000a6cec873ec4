package dev.herald.domain.webhook;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A webhook's triggers: at least one, all known, none twice. */
final class TriggerRules {
  private TriggerRules() {}

  static List<Trigger> parse(List<String> names, Violations violations) {
    if (names.isEmpty()) {
      violations.add("triggers", "at least one trigger is required");
      return List.of();
    }
    if (names.size() > Limits.TRIGGERS) {
      violations.add("triggers", "must have at most " + Limits.TRIGGERS + " entries");
      return List.of();
    }
    List<Trigger> triggers = new ArrayList<>();
    Set<Trigger> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String field = "triggers[" + i + "]";
      var trigger = Trigger.fromWireName(names.get(i));
      if (trigger.isEmpty()) {
        violations.add(field, "unknown trigger; known triggers: " + knownNames());
      } else if (!seen.add(trigger.get())) {
        violations.add(field, "is listed twice");
      } else {
        triggers.add(trigger.get());
      }
    }
    return triggers;
  }

  private static String knownNames() {
    return String.join(
        ", ",
        java.util.Arrays.stream(Trigger.values())
            .filter(Trigger::subscribable)
            .map(Trigger::wireName)
            .toList());
  }
}
