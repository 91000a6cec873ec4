package dev.herald.domain.event;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import dev.herald.domain.json.CanonicalJson;
import dev.herald.domain.json.JsonValue;
import java.nio.charset.StandardCharsets;

/** What a state change must carry before Herald accepts it. */
public final class StateChangeRules {
  private StateChangeRules() {}

  static void check(StateChange change) {
    Violations violations = new Violations();
    violations.requireToken("project_id", change.projectId(), Limits.ID_LENGTH);
    violations.requireToken("bot_id", change.botId(), Limits.ID_LENGTH);
    violations.optionalToken("event_id", change.eventId(), Limits.ID_LENGTH);
    requireText(violations, "new_state", change.newState());
    requireText(violations, "event_type", change.eventType());
    violations.optionalText("old_state", change.oldState(), Limits.STATE_LENGTH);
    violations.optionalText("event_sub_type", change.eventSubType(), Limits.STATE_LENGTH);
    checkMetadata(violations, change.botMetadata());
    violations.throwIfAny();
  }

  private static void requireText(Violations violations, String field, String value) {
    if (value == null || value.isEmpty()) {
      violations.add(field, "is required");
    } else {
      violations.optionalText(field, value, Limits.STATE_LENGTH);
    }
  }

  private static void checkMetadata(Violations violations, JsonValue metadata) {
    if (metadata == null || metadata instanceof JsonValue.Null) {
      return;
    }
    if (!(metadata instanceof JsonValue.Object)) {
      violations.add("bot_metadata", "must be an object");
      return;
    }
    if (depth(metadata) > Limits.BOT_METADATA_DEPTH) {
      violations.add("bot_metadata", "must nest at most " + Limits.BOT_METADATA_DEPTH + " levels");
      return;
    }
    // Counted before any number is formatted: formatting is what costs.
    if (values(metadata) > Limits.BOT_METADATA_VALUES) {
      violations.add("bot_metadata", TOO_MANY_VALUES);
      return;
    }
    int bytes = CanonicalJson.write(metadata).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.BOT_METADATA_BYTES) {
      violations.add(
          "bot_metadata",
          "must be at most " + Limits.BOT_METADATA_BYTES + " bytes as JSON, is " + bytes);
    }
  }

  /** The violation of {@link Limits#BOT_METADATA_VALUES}, the same wherever it is found. */
  public static final String TOO_MANY_VALUES =
      "must hold at most " + Limits.BOT_METADATA_VALUES + " values (members, elements and scalars)";

  private static int values(JsonValue value) {
    if (value instanceof JsonValue.Object o) {
      return 1 + o.members().values().stream().mapToInt(StateChangeRules::values).sum();
    }
    if (value instanceof JsonValue.Array a) {
      return 1 + a.elements().stream().mapToInt(StateChangeRules::values).sum();
    }
    return 1;
  }

  private static int depth(JsonValue value) {
    if (value instanceof JsonValue.Object o) {
      return 1 + o.members().values().stream().mapToInt(StateChangeRules::depth).max().orElse(0);
    }
    if (value instanceof JsonValue.Array a) {
      return 1 + a.elements().stream().mapToInt(StateChangeRules::depth).max().orElse(0);
    }
    return 0;
  }
}
