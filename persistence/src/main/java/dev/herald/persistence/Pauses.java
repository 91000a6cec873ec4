package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Endpoints paused as unreachable. A paused webhook's deliveries are parked at {@code 'infinity'},
 * as a bot's line parks those behind its first ({@link Lines}), found again by {@code
 * delivery_queue_parked}. {@code next_probe_time} says when the next probe goes while the webhook
 * is paused; once it is back, that its parked deliveries are still being let go, {@link #CHUNK} at
 * a time, and when another server is to take over if the one letting them go stops.
 *
 * <p>Letting a whole backlog go at once would put it in front of every other webhook's due
 * deliveries in the claim's index, and each claim that passes the webhook over would read all of
 * it; a chunk at a time keeps that read short.
 */
final class Pauses {
  static final int CHUNK = DeliveryQueue.LET_GO_CHUNK;

  /** How long a server letting a backlog go has before another takes over. */
  static final Duration LETTING_GO_LEASE = Duration.ofSeconds(5);

  private Pauses() {}

  /**
   * Hand-written to reach a webhook's parked deliveries by {@code delivery_queue_parked}, oldest
   * first, and make up to the third parameter of them due at the first; of an ordered webhook's,
   * only those first in their bot's line.
   */
  static final String LET_GO =
      """
      with go as (
        update delivery_queue q
           set next_attempt_time = ?::timestamptz
         where q.delivery_id = any(array(
                 select p.delivery_id
                   from delivery_queue p
                  where p.webhook_id = ?::uuid
                    and p.next_attempt_time = 'infinity'
                    and (p.order_seq is null or not exists (
                          select 1
                            from delivery_queue ahead
                           where ahead.webhook_id = p.webhook_id
                             and ahead.bot_id = p.bot_id
                             and ahead.order_seq < p.order_seq))
                  order by p.delivery_create_time
                  limit ?))
           and q.next_attempt_time = 'infinity'
        returning 1
      )
      select count(*) from go
      """;

  /**
   * Marks the endpoint unreachable (keeping an earlier mark), sets its next probe, and parks its
   * deliveries not held by a claim.
   */
  static Optional<Instant> pause(
      DSLContext dsl, UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
    OffsetDateTime since =
        dsl.update(WEBHOOKS)
            .set(
                WEBHOOKS.UNREACHABLE_SINCE,
                DSL.coalesce(WEBHOOKS.UNREACHABLE_SINCE, DSL.val(Times.toDb(now))))
            .where(
                WEBHOOKS.ID.eq(webhookId), WEBHOOKS.ACTIVE.isTrue(), WEBHOOKS.DELETE_TIME.isNull())
            .returningResult(WEBHOOKS.UNREACHABLE_SINCE)
            .fetchOne(WEBHOOKS.UNREACHABLE_SINCE);
    if (since == null) {
      return Optional.empty();
    }
    dsl.update(WEBHOOKS)
        .set(WEBHOOKS.NEXT_PROBE_TIME, Times.toDb(nextProbe.apply(since.toInstant())))
        .where(WEBHOOKS.ID.eq(webhookId))
        .execute();
    dsl.update(DELIVERY_QUEUE)
        .set(
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DSL.field("'infinity'::timestamptz", OffsetDateTime.class))
        .where(
            DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId),
            DSL.condition("{0} < 'infinity'::timestamptz", DELIVERY_QUEUE.NEXT_ATTEMPT_TIME),
            DELIVERY_QUEUE.LEASE_UNTIL.isNull().or(DELIVERY_QUEUE.LEASE_UNTIL.le(Times.toDb(now))))
        .execute();
    return Optional.of(since.toInstant());
  }

  /**
   * Ends the endpoint's pause, if it is paused, and lets the first {@link #CHUNK} of its parked
   * deliveries go.
   */
  static OptionalInt resume(DSLContext dsl, UUID webhookId, Instant now) {
    int resumed =
        dsl.update(WEBHOOKS)
            .setNull(WEBHOOKS.UNREACHABLE_SINCE)
            .set(WEBHOOKS.NEXT_PROBE_TIME, Times.toDb(now.plus(LETTING_GO_LEASE)))
            .where(WEBHOOKS.ID.eq(webhookId), WEBHOOKS.UNREACHABLE_SINCE.isNotNull())
            .execute();
    return resumed == 0 ? OptionalInt.empty() : OptionalInt.of(letGoMore(dsl, webhookId, now));
  }

  /**
   * Lets the next {@link #CHUNK} of a reachable webhook's parked deliveries go; once fewer are
   * left, the webhook is done letting its backlog go.
   */
  static int letGoMore(DSLContext dsl, UUID webhookId, Instant now) {
    int let = letGo(dsl, webhookId, now, CHUNK);
    dsl.update(WEBHOOKS)
        .set(
            WEBHOOKS.NEXT_PROBE_TIME,
            let < CHUNK ? (OffsetDateTime) null : Times.toDb(now.plus(LETTING_GO_LEASE)))
        .where(WEBHOOKS.ID.eq(webhookId), WEBHOOKS.UNREACHABLE_SINCE.isNull())
        .execute();
    return let;
  }

  /**
   * For each webhook whose {@code next_probe_time} has come: a paused one's first parked delivery
   * goes as its probe, and its next probe waits {@code probeLease}, so that one probe at a time is
   * in flight; a reachable one whose server letting its backlog go stopped has the next chunk let
   * go here.
   *
   * @return how many deliveries were let go
   */
  static int releaseProbes(DSLContext dsl, Instant now, Duration probeLease) {
    // A webhook deleted or switched off meanwhile has no deliveries left to probe or let go.
    dsl.update(WEBHOOKS)
        .setNull(WEBHOOKS.UNREACHABLE_SINCE)
        .setNull(WEBHOOKS.NEXT_PROBE_TIME)
        .where(
            WEBHOOKS.NEXT_PROBE_TIME.isNotNull(),
            WEBHOOKS.ACTIVE.isFalse().or(WEBHOOKS.DELETE_TIME.isNotNull()))
        .execute();
    var due =
        dsl.select(WEBHOOKS.ID, WEBHOOKS.UNREACHABLE_SINCE.isNotNull())
            .from(WEBHOOKS)
            .where(WEBHOOKS.NEXT_PROBE_TIME.le(Times.toDb(now)))
            .forUpdate()
            .skipLocked()
            .fetch();
    int let = 0;
    for (var webhook : due) {
      UUID id = webhook.value1();
      if (webhook.value2()) {
        dsl.update(WEBHOOKS)
            .set(WEBHOOKS.NEXT_PROBE_TIME, Times.toDb(now.plus(probeLease)))
            .where(WEBHOOKS.ID.eq(id))
            .execute();
        let += letGo(dsl, id, now, 1);
      } else {
        let += letGoMore(dsl, id, now);
      }
    }
    return let;
  }

  /**
   * Gives the claim back unattempted: parked if its webhook is paused, due at {@code now}
   * otherwise.
   */
  static boolean park(DSLContext dsl, ClaimedDelivery claim, Instant now) {
    return dsl.update(DELIVERY_QUEUE)
        .setNull(DELIVERY_QUEUE.LEASE_TOKEN)
        .setNull(DELIVERY_QUEUE.LEASE_UNTIL)
        .set(
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DSL.when(
                    DSL.exists(
                        DSL.selectOne()
                            .from(WEBHOOKS)
                            .where(
                                WEBHOOKS.ID.eq(claim.webhookId()),
                                WEBHOOKS.UNREACHABLE_SINCE.isNotNull())),
                    DSL.field("'infinity'::timestamptz", OffsetDateTime.class))
                .otherwise(DSL.val(Times.toDb(now))))
        .where(
            DELIVERY_QUEUE.DELIVERY_ID.eq(claim.id()),
            DELIVERY_QUEUE.LEASE_TOKEN.eq(claim.leaseToken()))
        .returningResult(
            DSL.field(
                "{0} = 'infinity'::timestamptz", Boolean.class, DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
        .fetchOptional()
        .map(r -> r.value1())
        .orElse(false);
  }

  private static int letGo(DSLContext dsl, UUID webhookId, Instant now, int max) {
    return dsl.connectionResult(connection -> letGo(connection, webhookId, now, max));
  }

  private static int letGo(Connection connection, UUID webhookId, Instant now, int max)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(LET_GO)) {
      statement.setObject(1, Times.toDb(now));
      statement.setObject(2, webhookId);
      statement.setInt(3, max);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
