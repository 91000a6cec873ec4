package dev.herald.domain.event;

import dev.herald.domain.json.CanonicalJson;
import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Trigger;
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

  /** What a test event's data says. */
  static final String TEST_MESSAGE =
      "A test event from Herald: this endpoint receives and verifies its webhooks.";

  public static String build(Event event, UUID idempotencyKey) {
    if (event.trigger() == Trigger.WEBHOOK_TEST) {
      return test(event, idempotencyKey);
    }
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

  /** The body of a test event: the documented envelope, and data that says what it is. */
  private static String test(Event event, UUID idempotencyKey) {
    Map<String, JsonValue> data = new LinkedHashMap<>();
    data.put("message", new JsonValue.Text(TEST_MESSAGE));
    data.put("created_at", new JsonValue.Text(formatCreatedAt(event.createdAt())));
    Map<String, JsonValue> body = new LinkedHashMap<>();
    body.put("idempotency_key", new JsonValue.Text(idempotencyKey.toString()));
    body.put(
        "bot_id", event.botId().isEmpty() ? JsonValue.NULL : new JsonValue.Text(event.botId()));
    body.put("bot_metadata", JsonValue.NULL);
    body.put("trigger", new JsonValue.Text(event.trigger().wireName()));
    body.put("data", new JsonValue.Object(data));
    return CanonicalJson.write(new JsonValue.Object(body));
  }

  static String formatCreatedAt(Instant createdAt) {
    return CREATED_AT.format(createdAt);
  }
}
