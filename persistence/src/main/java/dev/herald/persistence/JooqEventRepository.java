package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.EVENTS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.EventRepository;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.event.NewDelivery;
import dev.herald.domain.json.CanonicalJson;
import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Webhook;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;

final class JooqEventRepository implements EventRepository {
  private final Transactor transactor;

  JooqEventRepository(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  @Override
  public IngestResult recordOnce(Event event, Function<List<Webhook>, List<NewDelivery>> fanOut) {
    return transactor.inTransaction(
        dsl -> {
          // A concurrent ingestion of the same event id waits here for the first to commit.
          if (!insertUnlessKnown(dsl, event)) {
            return firstIngestion(dsl, event);
          }
          List<NewDelivery> deliveries = fanOut.apply(candidateWebhooks(dsl, event));
          insertDeliveries(dsl, event, deliveries);
          return new IngestResult(
              event.eventId(), deliveries.stream().map(NewDelivery::id).toList(), false);
        });
  }

  private static boolean insertUnlessKnown(DSLContext dsl, Event event) {
    return dsl.insertInto(EVENTS)
            .set(EVENTS.ID, event.id())
            .set(EVENTS.PROJECT_ID, event.projectId())
            .set(EVENTS.EVENT_ID, event.eventId())
            .set(EVENTS.BOT_ID, event.botId())
            .set(EVENTS.TRIGGER, event.trigger().wireName())
            .set(EVENTS.BOT_METADATA, metadataJson(event.botMetadata()))
            .set(EVENTS.OLD_STATE, event.oldState())
            .set(EVENTS.NEW_STATE, event.newState())
            .set(EVENTS.EVENT_TYPE, event.eventType())
            .set(EVENTS.EVENT_SUB_TYPE, event.eventSubType())
            .set(EVENTS.CREATED_AT, Times.toDb(event.createdAt()))
            .set(EVENTS.CREATE_TIME, Times.toDb(event.createTime()))
            .onConflict(EVENTS.PROJECT_ID, EVENTS.EVENT_ID)
            .doNothing()
            .execute()
        == 1;
  }

  private static IngestResult firstIngestion(DSLContext dsl, Event event) {
    List<UUID> deliveryIds =
        dsl.select(DELIVERIES.ID)
            .from(DELIVERIES)
            .join(EVENTS)
            .on(EVENTS.ID.eq(DELIVERIES.EVENT_ID))
            .where(EVENTS.PROJECT_ID.eq(event.projectId()), EVENTS.EVENT_ID.eq(event.eventId()))
            .orderBy(DELIVERIES.CREATE_TIME, DELIVERIES.ID)
            .fetch(DELIVERIES.ID);
    return new IngestResult(event.eventId(), deliveryIds, true);
  }

  /** The project's live webhooks that are project-level or belong to this event's bot. */
  private static List<Webhook> candidateWebhooks(DSLContext dsl, Event event) {
    return dsl.selectFrom(WEBHOOKS)
        .where(
            WEBHOOKS.PROJECT_ID.eq(event.projectId()),
            WEBHOOKS.DELETE_TIME.isNull(),
            WEBHOOKS.ACTIVE.isTrue(),
            WEBHOOKS.BOT_ID.isNull().or(WEBHOOKS.BOT_ID.eq(event.botId())))
        .fetch(JooqWebhookRepository::toDomain);
  }

  private static void insertDeliveries(DSLContext dsl, Event event, List<NewDelivery> deliveries) {
    if (deliveries.isEmpty()) {
      return;
    }
    OffsetDateTime now = Times.toDb(event.createTime());
    var insert =
        dsl.insertInto(
            DELIVERIES,
            DELIVERIES.ID,
            DELIVERIES.EVENT_ID,
            DELIVERIES.WEBHOOK_ID,
            DELIVERIES.PROJECT_ID,
            DELIVERIES.BOT_ID,
            DELIVERIES.TRIGGER,
            DELIVERIES.IDEMPOTENCY_KEY,
            DELIVERIES.URL,
            DELIVERIES.PAYLOAD,
            DELIVERIES.STATUS,
            DELIVERIES.NEXT_ATTEMPT_TIME,
            DELIVERIES.CREATE_TIME);
    for (NewDelivery delivery : deliveries) {
      insert =
          insert.values(
              delivery.id(),
              event.id(),
              delivery.webhook().id(),
              event.projectId(),
              event.botId(),
              event.trigger().wireName(),
              delivery.idempotencyKey(),
              delivery.webhook().url(),
              delivery.payload(),
              DeliveryStatus.PENDING.name(),
              now,
              now);
    }
    insert.execute();
    DeliveryWakeups.announce(dsl);
  }

  private static String metadataJson(JsonValue metadata) {
    return metadata instanceof JsonValue.Null ? null : CanonicalJson.write(metadata);
  }
}
