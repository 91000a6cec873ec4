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

  /** The key in a {@link #template}, until {@link #withKey} puts a delivery's own there. */
  private static final UUID PLACEHOLDER = new UUID(0, 0);

  private static final String KEY_MEMBER = "\"idempotency_key\":\"";

  /**
   * The body of every delivery of {@code event}, with a placeholder for the key: the bodies of one
   * event differ in their key alone, so one copy is stored for all of them.
   */
  public static String template(Event event) {
    return build(event, PLACEHOLDER);
  }

  /**
   * The body of the delivery with {@code idempotencyKey}, from its event's {@link #template}. The
   * top-level key is the template's last {@code "idempotency_key"} member: members are sorted and
   * only {@code trigger}, whose value is a fixed name, comes after it, while a key of that name in
   * the bot's metadata comes before it.
   */
  public static String withKey(String template, UUID idempotencyKey) {
    int member = template.lastIndexOf(KEY_MEMBER);
    if (member < 0) {
      throw new IllegalArgumentException("not a delivery body: no idempotency_key");
    }
    int key = member + KEY_MEMBER.length();
    int keyLength = PLACEHOLDER.toString().length();
    return template.substring(0, key) + idempotencyKey + template.substring(key + keyLength);
  }

  private static final String TRIGGER_MEMBER = "\"trigger\":\"";

  /**
   * The trigger a body names: its last member, as members are sorted and {@code trigger} is the
   * last name, while a member of that name in the bot's metadata comes before it. Trigger names
   * need no escapes.
   */
  public static String triggerOf(String body) {
    int member = body.lastIndexOf(TRIGGER_MEMBER);
    if (member < 0) {
      throw new IllegalArgumentException("not a delivery body: no trigger");
    }
    int name = member + TRIGGER_MEMBER.length();
    return body.substring(name, body.indexOf('"', name));
  }

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
