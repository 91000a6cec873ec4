package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static dev.herald.persistence.jooq.Tables.WEBHOOK_SEND_SLOTS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookRepository;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record2;
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
              .set(WEBHOOKS.TRIGGERS, WebhookRows.triggers(webhook))
              .set(WEBHOOKS.EVENT_TYPES, WebhookRows.eventTypes(webhook))
              .set(WEBHOOKS.ORDERING, webhook.controls().ordering().name())
              .set(WEBHOOKS.MAX_REQUESTS_PER_SECOND, WebhookRows.rate(webhook))
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
                .map(WebhookRows::toDomain));
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
                    .fetch(WebhookRows::toDomain));
    return Keysets.page(rows, page.size(), w -> new PageCursor(w.createTime(), w.id()));
  }

  @Override
  public void update(Webhook webhook, Optional<String> endPendingReason) {
    transactor.inTransaction(
        dsl -> {
          var update =
              dsl.update(WEBHOOKS)
                  .set(WEBHOOKS.URL, webhook.url())
                  .set(WEBHOOKS.TRIGGERS, WebhookRows.triggers(webhook))
                  .set(WEBHOOKS.EVENT_TYPES, WebhookRows.eventTypes(webhook))
                  .set(WEBHOOKS.ORDERING, webhook.controls().ordering().name())
                  .set(WEBHOOKS.MAX_REQUESTS_PER_SECOND, WebhookRows.rate(webhook))
                  .set(WEBHOOKS.ACTIVE, webhook.active())
                  .set(WEBHOOKS.DISABLED_REASON, webhook.disabledReason())
                  .set(WEBHOOKS.UPDATE_TIME, Times.toDb(webhook.updateTime()));
          if (webhook.active()) {
            update = update.set(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES, 0);
          }
          update.where(WEBHOOKS.ID.eq(webhook.id()), WEBHOOKS.DELETE_TIME.isNull()).execute();
          endPendingReason.ifPresent(reason -> endPending(dsl, webhook.id(), reason));
          if (!webhook.controls().ordered()) {
            Lines.leave(dsl, webhook.id(), webhook.updateTime());
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
            dsl.deleteFrom(WEBHOOK_SEND_SLOTS)
                .where(WEBHOOK_SEND_SLOTS.WEBHOOK_ID.eq(id))
                .execute();
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
   * <p>The queue rows go first, as a record takes its locks: queue row, then delivery; each names
   * its delivery's partition. The queue holds no index by webhook; reading it whole costs what is
   * pending, where the webhook's index on deliveries would read its whole history.
   */
  private static void endPending(DSLContext dsl, UUID webhookId, String reason) {
    CommonTableExpression<Record2<UUID, OffsetDateTime>> ended =
        DSL.name("ended")
            .as(
                DSL.deleteFrom(DELIVERY_QUEUE)
                    .where(DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId))
                    .returningResult(
                        DELIVERY_QUEUE.DELIVERY_ID, DELIVERY_QUEUE.DELIVERY_CREATE_TIME));
    dsl.with(ended)
        .update(DELIVERIES)
        .set(DELIVERIES.STATUS, DeliveryStatus.FAILED.name())
        .set(DELIVERIES.FAILURE_REASON, reason)
        .from(ended)
        .where(
            DELIVERIES.ID.eq(ended.field(DELIVERY_QUEUE.DELIVERY_ID)),
            DELIVERIES.CREATE_TIME.eq(ended.field(DELIVERY_QUEUE.DELIVERY_CREATE_TIME)))
        .execute();
  }
}
