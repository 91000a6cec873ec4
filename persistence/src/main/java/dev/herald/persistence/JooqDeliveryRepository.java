package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.domain.delivery.DeliveryRepository;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record4;
import org.jooq.impl.DSL;

/** Deliveries as operators read and resend them, written with jOOQ ({@link DeliveryRows}). */
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
              DeliveryRows.select(dsl, made)
                  .where(DELIVERIES.ID.eq(id), made.of(DELIVERIES.CREATE_TIME))
                  .fetch();
          return DeliveryRows.withAttempts(dsl, rows).stream().findFirst();
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
    filter.status().ifPresent(status -> conditions.add(DeliveryRows.statusIs(status)));
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
                  return DeliveryRows.withAttempts(dsl, found);
                }
              }
              return DeliveryRows.withAttempts(
                  dsl, pageOf(dsl, conditions, new CreationTimes.Span(null, until), page));
            });
    return Keysets.page(rows, page.size(), d -> new PageCursor(d.createTime(), d.id()));
  }

  /** A page and one more, newest first, of the deliveries made within {@code made}. */
  private static List<Record> pageOf(
      DSLContext dsl, List<Condition> conditions, CreationTimes.Span made, PageRequest page) {
    return DeliveryRows.select(dsl, made)
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
   * in the queue, unless it is there already (a put back running at the same time included).
   */
  private static int requeue(DSLContext dsl, Instant now, Condition... which) {
    Field<Integer> attemptsMade =
        DSL.field(
                DSL.select(DSL.coalesce(DSL.max(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER), 0))
                    .from(DELIVERY_ATTEMPTS)
                    .where(
                        DELIVERY_ATTEMPTS.DELIVERY_ID.eq(DELIVERIES.ID),
                        DELIVERY_ATTEMPTS.DELIVERY_CREATE_TIME.eq(DELIVERIES.CREATE_TIME)))
            .as("attempts_made");
    CommonTableExpression<Record4<UUID, UUID, OffsetDateTime, Integer>> requeued =
        DSL.name("requeued")
            .as(
                DSL.update(DELIVERIES)
                    .set(DELIVERIES.STATUS, (String) null)
                    .set(DELIVERIES.FAILURE_REASON, (String) null)
                    .where(which)
                    .andNotExists(
                        DSL.selectOne()
                            .from(DELIVERY_QUEUE)
                            .where(DELIVERY_QUEUE.DELIVERY_ID.eq(DELIVERIES.ID)))
                    .returningResult(
                        DELIVERIES.ID,
                        DELIVERIES.WEBHOOK_ID,
                        DELIVERIES.CREATE_TIME,
                        attemptsMade));
    return dsl.with(requeued)
        .insertInto(
            DELIVERY_QUEUE,
            DELIVERY_QUEUE.DELIVERY_ID,
            DELIVERY_QUEUE.WEBHOOK_ID,
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DELIVERY_QUEUE.DELIVERY_CREATE_TIME,
            DELIVERY_QUEUE.ATTEMPTS_MADE,
            DELIVERY_QUEUE.ROUND_START)
        .select(
            DSL.select(
                    requeued.field(DELIVERIES.ID),
                    requeued.field(DELIVERIES.WEBHOOK_ID),
                    DSL.val(Times.toDb(now)),
                    requeued.field(DELIVERIES.CREATE_TIME),
                    requeued.field(attemptsMade),
                    requeued.field(attemptsMade))
                .from(requeued))
        .onConflictDoNothing()
        .execute();
  }
}
