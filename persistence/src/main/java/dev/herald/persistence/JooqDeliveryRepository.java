package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.EVENTS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.domain.delivery.DeliveryRepository;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.event.PayloadBuilder;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import dev.herald.persistence.jooq.tables.records.DeliveryAttemptsRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record3;
import org.jooq.SelectOnConditionStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Deliveries as operators read and resend them, written with jOOQ. Past 200 lines as one class
 * because every read shares the same row shape and the same bounded attempts.
 */
final class JooqDeliveryRepository implements DeliveryRepository {
  private final Transactor transactor;
  private final DeliveryAnnouncements announcements;

  JooqDeliveryRepository(Transactor transactor, DeliveryAnnouncements announcements) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.announcements = requireNonNull(announcements, "announcements");
  }

  @Override
  public Optional<Delivery> find(UUID id) {
    return transactor.inSnapshot(
        dsl -> {
          CreationTimes.Span made = CreationTimes.ofId(id);
          List<Record> rows =
              selectDeliveries(dsl, made)
                  .where(DELIVERIES.ID.eq(id), made.of(DELIVERIES.CREATE_TIME))
                  .fetch();
          return withAttempts(dsl, rows).stream().findFirst();
        });
  }

  /**
   * How far back from the newest a page looks first, then next, before it reads every day kept: a
   * bot's newest deliveries are nearly always in the last day, and a statement bounded by constant
   * times reads only those days' partitions.
   */
  private static final List<Duration> LOOK_BACK = List.of(Duration.ofDays(1), Duration.ofDays(8));

  @Override
  public Page<Delivery> list(DeliveryFilter filter, PageRequest page) {
    List<Condition> conditions = new ArrayList<>();
    conditions.add(DELIVERIES.PROJECT_ID.eq(filter.projectId()));
    filter.botId().ifPresent(bot -> conditions.add(DELIVERIES.BOT_ID.eq(bot)));
    filter.webhookId().ifPresent(webhook -> conditions.add(DELIVERIES.WEBHOOK_ID.eq(webhook)));
    filter.status().ifPresent(status -> conditions.add(DELIVERIES.STATUS.eq(status.name())));
    page.after()
        .ifPresent(
            c ->
                conditions.add(
                    DSL.row(DELIVERIES.CREATE_TIME, DELIVERIES.ID)
                        .lt(Times.toDb(c.time()), c.id())));
    // The cursor's time itself may hold more of the page: a microsecond on, the type's step.
    Instant until = page.after().map(c -> c.time().plus(1, ChronoUnit.MICROS)).orElse(null);
    Instant newest = until != null ? until : Instant.now();
    List<Delivery> rows =
        transactor.inSnapshot(
            dsl -> {
              for (Duration back : LOOK_BACK) {
                List<Record> found =
                    pageOf(
                        dsl, conditions, new CreationTimes.Span(newest.minus(back), until), page);
                if (found.size() > page.size()) {
                  return withAttempts(dsl, found);
                }
              }
              return withAttempts(
                  dsl, pageOf(dsl, conditions, new CreationTimes.Span(null, until), page));
            });
    return Keysets.page(rows, page.size(), d -> new PageCursor(d.createTime(), d.id()));
  }

  /** A page and one more, newest first, of the deliveries made within {@code made}. */
  private static List<Record> pageOf(
      DSLContext dsl, List<Condition> conditions, CreationTimes.Span made, PageRequest page) {
    return selectDeliveries(dsl, made)
        .where(conditions)
        .and(made.of(DELIVERIES.CREATE_TIME))
        .orderBy(DELIVERIES.CREATE_TIME.desc(), DELIVERIES.ID.desc())
        .limit(page.size() + 1)
        .fetch();
  }

  @Override
  public boolean requeue(UUID id, Instant now) {
    return transactor.inTransaction(
        dsl -> {
          boolean requeued = requeue(dsl, now, CreationTimes.delivery(id)) == 1;
          if (requeued) {
            announcements.announce(dsl);
          }
          return requeued;
        });
  }

  @Override
  public int requeueFailed(
      String projectId, UUID webhookId, Instant since, Instant until, Instant now) {
    return transactor.inTransaction(
        dsl -> {
          int requeued =
              requeue(
                  dsl,
                  now,
                  DELIVERIES.WEBHOOK_ID.eq(webhookId),
                  DELIVERIES.PROJECT_ID.eq(projectId),
                  DELIVERIES.STATUS.eq(DeliveryStatus.FAILED.name()),
                  DELIVERIES.CREATE_TIME.ge(Times.toDb(since)),
                  DELIVERIES.CREATE_TIME.lt(Times.toDb(until)));
          if (requeued > 0) {
            announcements.announce(dsl);
          }
          return requeued;
        });
  }

  /**
   * A fresh round: due now, attempts counted from here, the outcome of the last round cleared; back
   * in the queue.
   */
  private static int requeue(DSLContext dsl, Instant now, Condition... which) {
    CommonTableExpression<Record3<UUID, UUID, OffsetDateTime>> requeued =
        DSL.name("requeued")
            .as(
                DSL.update(DELIVERIES)
                    .set(DELIVERIES.STATUS, DeliveryStatus.PENDING.name())
                    .set(DELIVERIES.ROUND_START, DELIVERIES.ATTEMPT_COUNT)
                    .set(DELIVERIES.FAILURE_REASON, (String) null)
                    .set(DELIVERIES.SUCCEEDED_TIME, (java.time.OffsetDateTime) null)
                    .where(which)
                    .and(DELIVERIES.STATUS.ne(DeliveryStatus.PENDING.name()))
                    .returningResult(DELIVERIES.ID, DELIVERIES.WEBHOOK_ID, DELIVERIES.CREATE_TIME));
    return dsl.with(requeued)
        .insertInto(
            DELIVERY_QUEUE,
            DELIVERY_QUEUE.DELIVERY_ID,
            DELIVERY_QUEUE.WEBHOOK_ID,
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DELIVERY_QUEUE.DELIVERY_CREATE_TIME)
        .select(
            DSL.select(
                    requeued.field(DELIVERIES.ID),
                    requeued.field(DELIVERIES.WEBHOOK_ID),
                    DSL.val(Times.toDb(now)),
                    requeued.field(DELIVERIES.CREATE_TIME))
                .from(requeued))
        .execute();
  }

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

  /**
   * Deliveries with their events' ids and bodies and their webhooks' URLs; the caller bounds {@code
   * DELIVERIES} by {@code made} too. The bound is written again on {@code EVENTS}, since the
   * planner carries an equality from one table to the other but not a range.
   */
  private static SelectOnConditionStep<Record> selectDeliveries(
      DSLContext dsl, CreationTimes.Span made) {
    return dsl.select(DELIVERIES.fields())
        .select(EVENTS.EVENT_ID, EVENT_BODY, WEBHOOKS.URL)
        .select(NEXT_ATTEMPT_TIME, WAITING_IN_LINE)
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
   * The newest attempts of each delivery, {@link Limits#ATTEMPTS_SHOWN} at most, read backwards on
   * the primary key: manual retries can give a delivery any number of attempts, and a read must not
   * grow with them. The oldest and newest of the deliveries' times bound the partitions read.
   */
  private static final String NEWEST_ATTEMPTS =
      "select a.* from unnest(?::uuid[], ?::timestamptz[]) as d (id, create_time)"
          + " cross join lateral ("
          + " select * from delivery_attempts"
          + " where delivery_id = d.id and delivery_create_time = d.create_time"
          + " and delivery_create_time >= ?::timestamptz and delivery_create_time <= ?::timestamptz"
          + " order by attempt_number desc limit "
          + Limits.ATTEMPTS_SHOWN
          + ") a";

  /** Loads the attempts of all rows in one query, rather than one query per delivery. */
  private static List<Delivery> withAttempts(DSLContext dsl, List<Record> rows) {
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
                        Collectors.mapping(
                            JooqDeliveryRepository::toAttempt, Collectors.toList())));
    return rows.stream()
        .map(row -> toDelivery(row, attempts.getOrDefault(row.get(DELIVERIES.ID), List.of())))
        .toList();
  }

  private static Delivery toDelivery(Record row, List<DeliveryAttempt> attempts) {
    String body =
        StoredBodies.of(row.get(DELIVERIES.PAYLOAD), row.get(EVENT_BODY), idempotencyKeyOf(row));
    return new Delivery(
        row.get(DELIVERIES.ID),
        idempotencyKeyOf(row),
        row.get(EVENTS.EVENT_ID),
        row.get(DELIVERIES.WEBHOOK_ID),
        row.get(DELIVERIES.PROJECT_ID),
        row.get(DELIVERIES.BOT_ID),
        PayloadBuilder.triggerOf(body),
        urlOf(row, attempts),
        DeliveryStatus.valueOf(row.get(DELIVERIES.STATUS)),
        row.get(DELIVERIES.ATTEMPT_COUNT),
        attempts,
        body,
        Times.fromDb(row.get(DELIVERIES.CREATE_TIME)),
        Times.fromDb(row.get(DELIVERIES.LAST_ATTEMPT_TIME)),
        Times.fromDb(row.get(DELIVERIES.SUCCEEDED_TIME)),
        Times.fromDb(row.get(NEXT_ATTEMPT_TIME)),
        row.get(DELIVERIES.FAILURE_REASON),
        row.get(WAITING_IN_LINE));
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
