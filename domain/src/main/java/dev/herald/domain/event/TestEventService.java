package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Completions;
import dev.herald.domain.FailedPreconditionException;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.TimeOrderedIds;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * A {@code webhook.test} event for one webhook only: signed, delivered, retried and recorded like
 * any other, so that a user can check a receiver before real events flow. Its payload has the
 * documented envelope with a {@code data.message} saying what it is.
 */
public final class TestEventService {
  private final WebhookRepository webhooks;
  private final EventRepository events;
  private final DeliveryNotifier notifier;
  private final Clock clock;

  public TestEventService(
      WebhookRepository webhooks, EventRepository events, DeliveryNotifier notifier, Clock clock) {
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.events = requireNonNull(events, "events");
    this.notifier = requireNonNull(notifier, "notifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Stores the test event and its one delivery; returns the delivery's id. */
  public UUID send(ProjectScope scope, UUID webhookId) {
    Webhook webhook =
        webhooks.find(webhookId).orElseThrow(() -> new NotFoundException("webhook", webhookId));
    scope.requireVisible(webhook.projectId(), "webhook", webhookId);
    if (!webhook.active()) {
      throw new FailedPreconditionException(
          "webhook "
              + webhookId
              + " is inactive"
              + (webhook.disabledReason() == null ? "" : " (" + webhook.disabledReason() + ")")
              + "; activate it to send a test event");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Event event =
        new Event(
            TimeOrderedIds.at(now),
            "test_" + UUID.randomUUID(),
            webhook.projectId(),
            webhook.isBotLevel() ? webhook.botId() : "",
            Trigger.WEBHOOK_TEST,
            JsonValue.NULL,
            null,
            "test",
            Trigger.WEBHOOK_TEST.wireName(),
            null,
            now,
            now);
    NewDelivery delivery = new NewDelivery(TimeOrderedIds.at(now), webhook);
    Completions.await(events.recordOnce(event, candidates -> List.of(delivery)));
    notifier.deliveriesCreated();
    return delivery.id();
  }
}
