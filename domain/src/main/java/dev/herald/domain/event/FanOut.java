package dev.herald.domain.event;

import dev.herald.domain.TimeOrderedIds;
import dev.herald.domain.webhook.Webhook;
import java.util.List;

/**
 * Which webhooks receive an event. A bot-level webhook subscribed to the trigger takes precedence:
 * when the bot has one, the project's webhooks are not used for that bot's events, those its
 * event-type filter passes over included. A webhook with an event-type filter receives only the
 * types it names.
 */
public final class FanOut {
  private FanOut() {}

  public static List<Webhook> recipients(Event event, List<Webhook> candidates) {
    List<Webhook> subscribed =
        candidates.stream()
            .filter(w -> w.projectId().equals(event.projectId()))
            .filter(w -> w.subscribesTo(event.trigger()))
            .filter(w -> !w.isBotLevel() || w.botId().equals(event.botId()))
            .toList();
    List<Webhook> botLevel = subscribed.stream().filter(Webhook::isBotLevel).toList();
    return (botLevel.isEmpty() ? subscribed : botLevel)
        .stream().filter(w -> w.wants(event.eventType())).toList();
  }

  /** One delivery per recipient, each with its own id, its idempotency key. */
  public static List<NewDelivery> deliveries(Event event, List<Webhook> candidates) {
    return recipients(event, candidates).stream()
        .map(webhook -> new NewDelivery(TimeOrderedIds.at(event.createTime()), webhook))
        .toList();
  }
}
