package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.TimeOrderedIds;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Trigger;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts bot state changes: stores each event with one delivery per recipient webhook, in one
 * transaction, before answering, so an acknowledged event is never lost.
 */
public final class IngestionService {
  private final EventRepository events;
  private final DeliveryNotifier notifier;
  private final Clock clock;

  public IngestionService(EventRepository events, DeliveryNotifier notifier, Clock clock) {
    this.events = requireNonNull(events, "events");
    this.notifier = requireNonNull(notifier, "notifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Checks the change and the caller's scope at once (throwing), then records it; the result
   * completes once the event is committed.
   */
  public CompletableFuture<IngestResult> ingest(ProjectScope scope, StateChange change) {
    StateChangeRules.check(change);
    scope.requireProject(change.projectId());
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Event event =
        new Event(
            TimeOrderedIds.at(now),
            change.eventId() == null || change.eventId().isEmpty()
                ? UUID.randomUUID().toString()
                : change.eventId(),
            change.projectId(),
            change.botId(),
            Trigger.BOT_STATE_CHANGE,
            change.botMetadata() == null ? JsonValue.NULL : change.botMetadata(),
            change.oldState() == null || change.oldState().isEmpty() ? null : change.oldState(),
            change.newState(),
            change.eventType(),
            change.eventSubType(),
            change.createdAt() == null ? now : change.createdAt().truncatedTo(ChronoUnit.MICROS),
            now);
    return events
        .recordOnce(event, candidates -> FanOut.deliveries(event, candidates))
        .thenApply(
            result -> {
              if (result.queued()) {
                notifier.deliveriesCreated();
              }
              return result;
            });
  }
}
