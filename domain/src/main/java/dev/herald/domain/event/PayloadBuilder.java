package dev.herald.domain.event;

import dev.herald.domain.json.CanonicalJson;
import dev.herald.domain.json.JsonValue;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The body a subscriber receives, in the documented shape and the canonical byte form. */
public final class PayloadBuilder {
  /** Always six fractional digits, as the product documentation shows. */
  private static final DateTimeFormatter CREATED_AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private PayloadBuilder() {}

  public static String build(Event event, UUID idempotencyKey) {
    Map<String, JsonValue> data = new LinkedHashMap<>();
    data.put("new_state", new JsonValue.Text(event.newState()));
    data.put("old_state", JsonValue.text(event.oldState()));
    data.put("created_at", new JsonValue.Text(formatCreatedAt(event.createdAt())));
    data.put("event_type", new JsonValue.Text(event.eventType()));
    data.put("event_sub_type", JsonValue.text(event.eventSubType()));

    Map<String, JsonValue> body = new LinkedHashMap<>();
    body.put("idempotency_key", new JsonValue.Text(idempotencyKey.toString()));
    body.put("bot_id", new JsonValue.Text(event.botId()));
    body.put("bot_metadata", event.botMetadata());
    body.put("trigger", new JsonValue.Text(event.trigger().wireName()));
    body.put("data", new JsonValue.Object(data));
    return CanonicalJson.write(new JsonValue.Object(body));
  }

  static String formatCreatedAt(Instant createdAt) {
    return CREATED_AT.format(createdAt);
  }
}
