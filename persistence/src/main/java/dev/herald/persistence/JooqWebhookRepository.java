package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.webhook.DeliveryControls;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookRepository;
import dev.herald.persistence.jooq.tables.records.WebhooksRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Stored webhooks, written with jOOQ. Past 200 lines as one class because creating (under the
 * project's quota), changing, disabling and deleting a webhook all end its pending deliveries the
 * same way, {@link #endPending}, kept private to it.
 */
final class JooqWebhookRepository implements WebhookRepository {
  private final Transactor transactor;

  JooqWebhookRepository(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  /**
   * The project's count and the insert in one transaction, after a lock on the project's name:
   * servers inserting for the same project at once take turns, so none counts before another's
   * insert is visible.
   */
  @Override
  public boolean insertIfFewerThan(Webhook webhook, int limit) {
    return transactor.inTransaction(
        dsl -> {
          dsl.select(
                  DSL.field(
                      "pg_advisory_xact_lock(hashtextextended({0}, 0))",
                      Object.class, DSL.val("herald.webhooks:" + webhook.projectId())))
              .fetch();
          int existing =
              dsl.fetchCount(
                  WEBHOOKS,
                  WEBHOOKS.PROJECT_ID.eq(webhook.projectId()),
                  WEBHOOKS.DELETE_TIME.isNull());
          if (existing >= limit) {
            return false;
          }
          dsl.insertInto(WEBHOOKS)
              .set(WEBHOOKS.ID, webhook.id())
              .set(WEBHOOKS.PROJECT_ID, webhook.projectId())
              .set(WEBHOOKS.BOT_ID, webhook.botId())
              .set(WEBHOOKS.URL, webhook.url())
              .set(WEBHOOKS.TRIGGERS, wireNames(webhook))
              .set(WEBHOOKS.EVENT_TYPES, eventTypes(webhook))
              .set(WEBHOOKS.ORDERING, webhook.controls().ordering().name())
              .set(WEBHOOKS.MAX_REQUESTS_PER_SECOND, rate(webhook))
              .set(WEBHOOKS.ACTIVE, webhook.active())
              .set(WEBHOOKS.CREATE_TIME, Times.toDb(webhook.createTime()))
              .set(WEBHOOKS.UPDATE_TIME, Times.toDb(webhook.updateTime()))
              .execute();
          return true;
        });
  }

  @Override
  public Optional<Webhook> find(UUID id) {
    return transactor.outsideTransaction(
        dsl ->
            dsl.selectFrom(WEBHOOKS)
                .where(WEBHOOKS.ID.eq(id), WEBHOOKS.DELETE_TIME.isNull())
                .fetchOptional()
                .map(JooqWebhookRepository::toDomain));
  }

  @Override
  public Page<Webhook> list(String projectId, PageRequest page) {
    Condition after =
        page.after()
            .map(c -> DSL.row(WEBHOOKS.CREATE_TIME, WEBHOOKS.ID).gt(Times.toDb(c.time()), c.id()))
            .orElse(DSL.noCondition());
    var rows =
        transactor.outsideTransaction(
            dsl ->
                dsl.selectFrom(WEBHOOKS)
                    .where(WEBHOOKS.PROJECT_ID.eq(projectId), WEBHOOKS.DELETE_TIME.isNull(), after)
                    .orderBy(WEBHOOKS.CREATE_TIME, WEBHOOKS.ID)
                    .limit(page.size() + 1)
                    .fetch(JooqWebhookRepository::toDomain));
    return Keysets.page(rows, page.size(), w -> new PageCursor(w.createTime(), w.id()));
  }

  @Override
  public void update(Webhook webhook, Optional<String> endPendingReason) {
    transactor.inTransaction(
        dsl -> {
          var update =
              dsl.update(WEBHOOKS)
                  .set(WEBHOOKS.URL, webhook.url())
                  .set(WEBHOOKS.TRIGGERS, wireNames(webhook))
                  .set(WEBHOOKS.EVENT_TYPES, eventTypes(webhook))
                  .set(WEBHOOKS.ORDERING, webhook.controls().ordering().name())
                  .set(WEBHOOKS.MAX_REQUESTS_PER_SECOND, rate(webhook))
                  .set(WEBHOOKS.ACTIVE, webhook.active())
                  .set(WEBHOOKS.DISABLED_REASON, webhook.disabledReason())
                  .set(WEBHOOKS.UPDATE_TIME, Times.toDb(webhook.updateTime()));
          if (webhook.active()) {
            update = update.set(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES, 0);
          }
          update.where(WEBHOOKS.ID.eq(webhook.id()), WEBHOOKS.DELETE_TIME.isNull()).execute();
          endPendingReason.ifPresent(reason -> endPending(dsl, webhook.id(), reason));
          if (!webhook.controls().ordered()) {
            leaveLines(dsl, webhook.id(), webhook.updateTime());
          }
          return null;
        });
  }

  @Override
  public boolean delete(UUID id, Instant at, String reason) {
    return transactor.inTransaction(
        dsl -> {
          int deleted =
              dsl.update(WEBHOOKS)
                  .set(WEBHOOKS.DELETE_TIME, Times.toDb(at))
                  .set(WEBHOOKS.ACTIVE, false)
                  .set(WEBHOOKS.UPDATE_TIME, Times.toDb(at))
                  .where(WEBHOOKS.ID.eq(id), WEBHOOKS.DELETE_TIME.isNull())
                  .execute();
          if (deleted == 1) {
            endPending(dsl, id, reason);
          }
          return deleted == 1;
        });
  }

  @Override
  public boolean disable(UUID id, String reason, String endPendingReason, Instant at) {
    return transactor.inTransaction(
        dsl -> {
          int disabled =
              dsl.update(WEBHOOKS)
                  .set(WEBHOOKS.ACTIVE, false)
                  .set(WEBHOOKS.DISABLED_REASON, reason)
                  .set(WEBHOOKS.UPDATE_TIME, Times.toDb(at))
                  .where(
                      WEBHOOKS.ID.eq(id), WEBHOOKS.ACTIVE.isTrue(), WEBHOOKS.DELETE_TIME.isNull())
                  .execute();
          if (disabled == 1) {
            endPending(dsl, id, endPendingReason);
          }
          return disabled == 1;
        });
  }

  /**
   * Ends the webhook's pending deliveries and takes them out of the queue, those being attempted
   * right now included: their attempts are still listed when they finish, but the delivery keeps
   * the end given here (see {@link PostgresDeliveryQueue#recordAttempts}).
   *
   * <p>The queue rows go first, as a record takes its locks: queue row, then delivery. The queue
   * holds no index by webhook; reading it whole costs what is pending, where the webhook's index on
   * deliveries would read its whole history.
   */
  private static void endPending(DSLContext dsl, UUID webhookId, String reason) {
    dsl.deleteFrom(DELIVERY_QUEUE).where(DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId)).execute();
    dsl.update(DELIVERIES)
        .set(DELIVERIES.STATUS, DeliveryStatus.FAILED.name())
        .set(DELIVERIES.FAILURE_REASON, reason)
        .where(
            DELIVERIES.WEBHOOK_ID.eq(webhookId),
            DELIVERIES.STATUS.eq(DeliveryStatus.PENDING.name()))
        .execute();
  }

  /**
   * A webhook no longer ordered lets its waiting deliveries go: each leaves its bot's line, and one
   * parked behind another is due now. Found by the lines' index, which holds ordered rows only.
   */
  private static void leaveLines(DSLContext dsl, UUID webhookId, Instant now) {
    dsl.update(DELIVERY_QUEUE)
        .set(
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DSL.when(
                    DSL.condition(
                        "{0} = 'infinity'::timestamptz", DELIVERY_QUEUE.NEXT_ATTEMPT_TIME),
                    DSL.val(Times.toDb(now)))
                .otherwise(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
        .setNull(DELIVERY_QUEUE.ORDER_SEQ)
        .setNull(DELIVERY_QUEUE.BOT_ID)
        .where(DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId), DELIVERY_QUEUE.ORDER_SEQ.isNotNull())
        .execute();
  }

  static Webhook toDomain(WebhooksRecord row) {
    return webhook(
        row.getId(),
        row.getProjectId(),
        row.getBotId(),
        row.getUrl(),
        row.getTriggers(),
        row.getActive(),
        row.getDisabledReason(),
        row.getCreateTime(),
        row.getUpdateTime(),
        controls(row.getEventTypes(), row.getOrdering(), row.getMaxRequestsPerSecond()));
  }

  /** A webhook from a JDBC row holding its columns by name, for queries run without jOOQ. */
  static Webhook fromRow(ResultSet row) throws SQLException {
    return webhook(
        row.getObject("id", UUID.class),
        row.getString("project_id"),
        row.getString("bot_id"),
        row.getString("url"),
        (String[]) row.getArray("triggers").getArray(),
        row.getBoolean("active"),
        row.getString("disabled_reason"),
        row.getObject("create_time", OffsetDateTime.class),
        row.getObject("update_time", OffsetDateTime.class),
        controls(
            (String[]) row.getArray("event_types").getArray(),
            row.getString("ordering"),
            row.getObject("max_requests_per_second", Integer.class)));
  }

  private static Webhook webhook(
      UUID id,
      String projectId,
      String botId,
      String url,
      String[] triggers,
      boolean active,
      String disabledReason,
      OffsetDateTime createTime,
      OffsetDateTime updateTime,
      DeliveryControls controls) {
    return new Webhook(
        id,
        projectId,
        botId,
        url,
        Arrays.stream(triggers)
            .map(name -> Trigger.fromWireName(name).orElseThrow(() -> unknownTrigger(name)))
            .toList(),
        active,
        disabledReason,
        Times.fromDb(createTime),
        Times.fromDb(updateTime),
        controls);
  }

  private static DeliveryControls controls(
      String[] eventTypes, String ordering, Integer maxRequestsPerSecond) {
    return new DeliveryControls(
        List.of(eventTypes),
        Ordering.valueOf(ordering),
        maxRequestsPerSecond == null ? OptionalInt.empty() : OptionalInt.of(maxRequestsPerSecond));
  }

  private static String[] eventTypes(Webhook webhook) {
    return webhook.controls().eventTypes().toArray(String[]::new);
  }

  private static Integer rate(Webhook webhook) {
    OptionalInt rate = webhook.controls().maxRequestsPerSecond();
    return rate.isPresent() ? rate.getAsInt() : null;
  }

  private static IllegalStateException unknownTrigger(String name) {
    return new IllegalStateException("stored webhook has unknown trigger " + name);
  }

  private static String[] wireNames(Webhook webhook) {
    return webhook.triggers().stream().map(Trigger::wireName).toArray(String[]::new);
  }
}
