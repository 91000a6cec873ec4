package dev.herald.domain.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Trigger;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PayloadBuilderTest {
  private static final Instant NOW = Instant.parse("2026-11-30T06:40:00.123456Z");

  @Test
  void aDeliveryBodyFromItsEventsTemplateIsTheBodyBuiltForIt() {
    for (Event event :
        new Event[] {
          event(Trigger.BOT_STATE_CHANGE, JsonValue.NULL),
          event(Trigger.WEBHOOK_TEST, JsonValue.NULL),
          // A key of the same name, and the placeholder's text, inside the bot's metadata.
          event(
              Trigger.BOT_STATE_CHANGE,
              new JsonValue.Object(
                  Map.of(
                      "idempotency_key",
                      new JsonValue.Text("00000000-0000-0000-0000-000000000000"),
                      "zz",
                      new JsonValue.Text("\"idempotency_key\":\"")))),
        }) {
      UUID key = UUID.randomUUID();

      assertEquals(
          PayloadBuilder.build(event, key),
          PayloadBuilder.withKey(PayloadBuilder.template(event), key));
    }
  }

  @Test
  void aBodyNamesItsTriggerAfterAnyMemberOfThatNameInTheMetadata() {
    Event tricky =
        event(
            Trigger.BOT_STATE_CHANGE,
            new JsonValue.Object(
                Map.of(
                    "trigger", new JsonValue.Text("webhook.test"),
                    "zz", new JsonValue.Text("\"trigger\":\"x"))));

    assertEquals("bot.state_change", PayloadBuilder.triggerOf(PayloadBuilder.template(tricky)));
    assertEquals(
        "webhook.test",
        PayloadBuilder.triggerOf(
            PayloadBuilder.template(event(Trigger.WEBHOOK_TEST, JsonValue.NULL))));
  }

  @Test
  void aBodyWithoutAKeyIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PayloadBuilder.withKey("{\"bot_id\":\"b\"}", UUID.randomUUID()));
  }

  private static Event event(Trigger trigger, JsonValue metadata) {
    return new Event(
        UUID.randomUUID(),
        "evt",
        "proj",
        "bot-1",
        trigger,
        metadata,
        "joining",
        "joined",
        "bot_joined_meeting",
        null,
        NOW,
        NOW);
  }
}
