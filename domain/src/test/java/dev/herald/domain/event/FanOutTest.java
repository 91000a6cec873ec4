package dev.herald.domain.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.DeliveryControls;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FanOutTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Event EVENT =
      new Event(
          UUID.randomUUID(),
          "evt",
          "proj",
          "bot-1",
          Trigger.BOT_STATE_CHANGE,
          JsonValue.NULL,
          "joining",
          "joined",
          "bot_joined_meeting",
          null,
          NOW,
          NOW);

  @Test
  void usesProjectWebhooksWhenTheBotHasNoneOfItsOwn() {
    Webhook project1 = webhook(null, true);
    Webhook project2 = webhook(null, true);
    Webhook otherBot = webhook("bot-2", true);
    assertEquals(
        List.of(project1, project2),
        FanOut.recipients(EVENT, List.of(project1, otherBot, project2)));
  }

  @Test
  void botLevelWebhooksReplaceTheProjects() {
    Webhook project = webhook(null, true);
    Webhook own = webhook("bot-1", true);
    assertEquals(List.of(own), FanOut.recipients(EVENT, List.of(project, own)));
  }

  @Test
  void anInactiveBotWebhookDoesNotSilenceTheProjects() {
    Webhook project = webhook(null, true);
    Webhook paused = webhook("bot-1", false);
    assertEquals(List.of(project), FanOut.recipients(EVENT, List.of(project, paused)));
  }

  @Test
  void aWebhookWithAnEventTypeFilterReceivesOnlyTheTypesItNames() {
    Webhook all = webhook(null, true);
    Webhook joins = filtered(null, List.of("bot_joined_meeting"));
    Webhook recordings = filtered(null, List.of("recording_started"));
    assertEquals(List.of(all, joins), FanOut.recipients(EVENT, List.of(all, joins, recordings)));
  }

  @Test
  void aBotWebhookTakesItsBotsEventsEvenThoseItsFilterPassesOver() {
    Webhook project = webhook(null, true);
    Webhook own = filtered("bot-1", List.of("recording_started"));
    assertEquals(List.of(), FanOut.recipients(EVENT, List.of(project, own)));
  }

  private static Webhook filtered(String botId, List<String> eventTypes) {
    Webhook plain = webhook(botId, true);
    return new Webhook(
        plain.id(),
        plain.projectId(),
        plain.botId(),
        plain.url(),
        plain.triggers(),
        true,
        null,
        NOW,
        NOW,
        new DeliveryControls(eventTypes, Ordering.UNORDERED, java.util.OptionalInt.empty()));
  }

  @Test
  void eachDeliveryHasAKeyOfItsOwn() {
    List<NewDelivery> deliveries =
        FanOut.deliveries(EVENT, List.of(webhook(null, true), webhook(null, true)));
    assertEquals(2, deliveries.size());
    assertNotEquals(deliveries.get(0).idempotencyKey(), deliveries.get(1).idempotencyKey());
    for (NewDelivery delivery : deliveries) {
      assertEquals(delivery.id(), delivery.idempotencyKey());
    }
  }

  @Test
  void buildsTheDocumentedPayload() {
    UUID key = UUID.fromString("00000000-0000-0000-0000-000000000001");
    assertEquals(
        "{\"bot_id\":\"bot-1\",\"bot_metadata\":null,\"data\":{\"created_at\":\"2026-01-01T00:00:00.000000Z\","
            + "\"event_sub_type\":null,\"event_type\":\"bot_joined_meeting\",\"new_state\":\"joined\","
            + "\"old_state\":\"joining\"},\"idempotency_key\":\"00000000-0000-0000-0000-000000000001\","
            + "\"trigger\":\"bot.state_change\"}",
        PayloadBuilder.build(EVENT, key));
  }

  private static Webhook webhook(String botId, boolean active) {
    return new Webhook(
        UUID.randomUUID(),
        "proj",
        botId,
        "https://example.com/h",
        List.of(Trigger.BOT_STATE_CHANGE),
        active,
        null,
        NOW,
        NOW);
  }
}
