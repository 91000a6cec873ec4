package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.EVENTS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;

import dev.herald.domain.Limits;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.event.PayloadBuilder;
import dev.herald.persistence.jooq.tables.records.DeliveryAttemptsRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectOnConditionStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * A delivery as an operator reads it, from its row, its event's id and body, its webhook's URL, its
 * place in the queue and its newest attempts: the one row shape every read of {@link
 * JooqDeliveryRepository} shares.
 */
final class DeliveryRows {
  private static final Field<OffsetDateTime> NEXT_ATTEMPT_TIME =
      DSL.when(Lines.PARKED, DSL.inline((OffsetDateTime) null))
          .otherwise(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME)
          .as("next_attempt_time");

  private static final Field<byte[]> EVENT_BODY =
      DSL.field(
          "coalesce({0}, convert_to({1}, 'UTF8'))",
          SQLDataType.BLOB, EVENTS.PACKED_BODY, EVENTS.BODY);

  private static final Field<Boolean> WAITING_IN_LINE =
      DSL.coalesce(DSL.field(Lines.PARKED), DSL.inline(false)).as("waiting_in_line");

  private static final Field<Boolean> QUEUED =
      DSL.field(DELIVERY_QUEUE.DELIVERY_ID.isNotNull()).as("queued");

  private static final String FAILED = DeliveryStatus.FAILED.name();

  private DeliveryRows() {}

  /**
   * Deliveries with their events' ids and bodies and their webhooks' URLs; the caller bounds {@code
   * DELIVERIES} by {@code made} too. The bound is written again on {@code EVENTS}, since the
   * planner carries an equality from one table to the other but not a range.
   */
  static SelectOnConditionStep<Record> select(DSLContext dsl, CreationTimes.Span made) {
    return dsl.select(DELIVERIES.fields())
        .select(EVENTS.EVENT_ID, EVENT_BODY, WEBHOOKS.URL)
        .select(NEXT_ATTEMPT_TIME, WAITING_IN_LINE, QUEUED)
        .from(DELIVERIES)
        .join(EVENTS)
        .on(
            EVENTS.ID.eq(DELIVERIES.EVENT_ID),
            EVENTS.CREATE_TIME.eq(DELIVERIES.CREATE_TIME),
            made.of(EVENTS.CREATE_TIME))
        .join(WEBHOOKS)
        .on(WEBHOOKS.ID.eq(DELIVERIES.WEBHOOK_ID))
        .leftJoin(DELIVERY_QUEUE)
        .on(DELIVERY_QUEUE.DELIVERY_ID.eq(DELIVERIES.ID));
  }

  /**
   * The deliveries of {@link #select} with {@code status}. A row is written once as its delivery is
   * made (V20): pending is queued, failed is ended so in the row, succeeded is neither.
   */
  static Condition statusIs(DeliveryStatus status) {
    return switch (status) {
      case PENDING -> DELIVERY_QUEUE.DELIVERY_ID.isNotNull();
      case FAILED -> DELIVERY_QUEUE.DELIVERY_ID.isNull().and(DELIVERIES.STATUS.eq(FAILED));
      case SUCCEEDED ->
          DELIVERY_QUEUE.DELIVERY_ID.isNull().and(DELIVERIES.STATUS.isDistinctFrom(FAILED));
    };
  }

  /**
   * The newest attempts of each delivery, {@link Limits#ATTEMPTS_SHOWN} at most, read backwards on
   * the primary key: manual retries can give a delivery any number of attempts, and a read must not
   * grow with them. The oldest and newest of the deliveries' times bound the partitions read. An
   * attempt's URL is the one its number names, or its own if written before V23: looked up by key
   * for each attempt read. Written as a join, it was planned inside the loop over the deliveries, a
   * hash of every URL built for each (12 ms for a page of 50 with 4,000 URLs).
   */
  static final String NEWEST_ATTEMPTS =
      "select a.delivery_id, a.attempt_number,"
          + " coalesce((select u.url from attempt_urls u where u.id = a.url_id), a.url) as url,"
          + " a.start_time, a.duration_ms, a.response_status_code, a.response_body, a.error,"
          + " a.succeeded"
          + " from unnest(?::uuid[], ?::timestamptz[]) as d (id, create_time)"
          + " cross join lateral ("
          + " select * from delivery_attempts"
          + " where delivery_id = d.id and delivery_create_time = d.create_time"
          + " and delivery_create_time >= ?::timestamptz and delivery_create_time <= ?::timestamptz"
          + " order by attempt_number desc limit "
          + Limits.ATTEMPTS_SHOWN
          + ") a";

  /** Loads the attempts of all rows in one query, rather than one query per delivery. */
  static List<Delivery> withAttempts(DSLContext dsl, List<Record> rows) {
    UUID[] ids = rows.stream().map(r -> r.get(DELIVERIES.ID)).toArray(UUID[]::new);
    OffsetDateTime[] createTimes =
        rows.stream().map(r -> r.get(DELIVERIES.CREATE_TIME)).toArray(OffsetDateTime[]::new);
    Map<UUID, List<DeliveryAttempt>> attempts =
        ids.length == 0
            ? Map.of()
            : dsl
                .fetch(
                    NEWEST_ATTEMPTS,
                    ids,
                    createTimes,
                    Arrays.stream(createTimes).min(Comparator.naturalOrder()).orElseThrow(),
                    Arrays.stream(createTimes).max(Comparator.naturalOrder()).orElseThrow())
                .into(DELIVERY_ATTEMPTS)
                .stream()
                .sorted(
                    Comparator.comparing(DeliveryAttemptsRecord::getDeliveryId)
                        .thenComparing(DeliveryAttemptsRecord::getAttemptNumber))
                .collect(
                    Collectors.groupingBy(
                        DeliveryAttemptsRecord::getDeliveryId,
                        Collectors.mapping(DeliveryRows::toAttempt, Collectors.toList())));
    return rows.stream()
        .map(row -> toDelivery(row, attempts.getOrDefault(row.get(DELIVERIES.ID), List.of())))
        .toList();
  }

  private static Delivery toDelivery(Record row, List<DeliveryAttempt> attempts) {
    String body =
        StoredBodies.of(row.get(DELIVERIES.PAYLOAD), row.get(EVENT_BODY), idempotencyKeyOf(row));
    DeliveryStatus status = statusOf(row);
    Optional<DeliveryAttempt> newest =
        attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    return new Delivery(
        row.get(DELIVERIES.ID),
        idempotencyKeyOf(row),
        row.get(EVENTS.EVENT_ID),
        row.get(DELIVERIES.WEBHOOK_ID),
        row.get(DELIVERIES.PROJECT_ID),
        row.get(DELIVERIES.BOT_ID),
        PayloadBuilder.triggerOf(body),
        urlOf(row, attempts),
        status,
        newest.map(DeliveryAttempt::attemptNumber).orElse(0),
        attempts,
        body,
        Times.fromDb(row.get(DELIVERIES.CREATE_TIME)),
        newest.map(DeliveryAttempt::startTime).orElse(null),
        status == DeliveryStatus.SUCCEEDED ? succeededTimeOf(attempts) : null,
        Times.fromDb(row.get(NEXT_ATTEMPT_TIME)),
        row.get(DELIVERIES.FAILURE_REASON),
        row.get(WAITING_IN_LINE));
  }

  /** As {@link #statusIs} selects it. */
  private static DeliveryStatus statusOf(Record row) {
    if (row.get(QUEUED)) {
      return DeliveryStatus.PENDING;
    }
    return FAILED.equals(row.get(DELIVERIES.STATUS))
        ? DeliveryStatus.FAILED
        : DeliveryStatus.SUCCEEDED;
  }

  /** When the newest succeeded attempt ended: the delivery's success. */
  private static Instant succeededTimeOf(List<DeliveryAttempt> attempts) {
    for (int i = attempts.size() - 1; i >= 0; i--) {
      DeliveryAttempt attempt = attempts.get(i);
      if (attempt.succeeded()) {
        return attempt.startTime().plus(attempt.duration());
      }
    }
    return null;
  }

  /** Its own id since V19, a key of its own before. */
  private static UUID idempotencyKeyOf(Record row) {
    UUID own = row.get(DELIVERIES.IDEMPOTENCY_KEY);
    return own != null ? own : row.get(DELIVERIES.ID);
  }

  /** Where the newest attempt went, or else where the next will go: the webhook's URL now. */
  private static String urlOf(Record row, List<DeliveryAttempt> attempts) {
    return attempts.isEmpty() ? row.get(WEBHOOKS.URL) : attempts.get(attempts.size() - 1).url();
  }

  private static DeliveryAttempt toAttempt(DeliveryAttemptsRecord row) {
    return new DeliveryAttempt(
        row.getAttemptNumber(),
        row.getUrl(),
        Times.fromDb(row.getStartTime()),
        Duration.ofMillis(row.getDurationMs()),
        row.getResponseStatusCode(),
        row.getResponseBody(),
        row.getError(),
        row.getSucceeded(),
        null);
  }
}
