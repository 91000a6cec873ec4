package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.RETURNING_BACKLOGS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.webhook.Ordering;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Endpoints paused as unreachable. A paused webhook's deliveries are parked at {@code 'infinity'},
 * as a bot's line parks those behind its first ({@link Lines}), found again by {@code
 * delivery_queue_parked}. {@code next_probe_time} says when the next probe goes while the webhook
 * is paused ({@link Probes}). Once it is back, {@code returning_backlogs} names it until no
 * delivery of it is parked: every server's claims take its backlog where it waits, oldest first
 * ({@link Claims#CLAIM}).
 *
 * <p>Making a whole backlog due at once would put it in front of every other webhook's due
 * deliveries in the claim's index, and write each of its rows once more than a claim does; making
 * it due a chunk at a time left the endpoint's slots idle while each chunk was written.
 *
 * <p>An ordered webhook's backlog is its bots' lines: once it is back, each line's first delivery
 * is made due, and its line goes on as lines do.
 */
final class Pauses {
  /** Where a paused endpoint's deliveries wait: past every time a claim reads. */
  static final Field<OffsetDateTime> PARKED =
      DSL.field("'infinity'::timestamptz", OffsetDateTime.class);

  private Pauses() {}

  /**
   * The time a row of the queue aliased {@code q} is due at when it goes back to waiting: parked if
   * its webhook is paused, at {@code otherwise} if not. Written where it goes back, a row of a
   * paused endpoint waits with the rest of its backlog without the pause being made again.
   */
  static String parkedIfPaused(String otherwise) {
    return """
        case when exists (select 1 from webhooks w
                           where w.id = q.webhook_id and w.unreachable_since is not null)
             then 'infinity'::timestamptz
             else %s end"""
        .formatted(otherwise);
  }

  /**
   * Hand-written to reach a webhook's parked deliveries by {@code delivery_queue_parked}, oldest
   * first, and make up to the third parameter of them due at the first; of an ordered webhook's,
   * only those first in their bot's line: a probe, or every line's first once the endpoint is back.
   * Each is locked as it is read (a row changed meanwhile is read again, and passed over if no
   * longer parked) and written by key: with that check left to the update, a plan made on
   * statistics that counted few parked rows looked for the chosen ones among every parked row in
   * {@code delivery_queue_due}, 150 ms for one probe at 5,000. The lock leaves an ingest's lock on
   * the end of a line, which only keeps the row's key, free to go on.
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
                  limit ?
                    for no key update))
        returning 1
      )
      select count(*) from go
      """;

  /**
   * Marks the endpoint unreachable (keeping an earlier mark) and sets its next probe; if this call
   * began the pause, parks the deliveries not held by a claim. Asked again while the endpoint is
   * paused (a probe failed, or another server counted its own failures), the queue is left as it
   * is: what waited then was parked, a delivery made since is parked as it is made, and one that
   * slipped past (made in an ingest that began before the pause) parks itself when its attempt
   * fails. Parking again on every failed probe held the webhook's row while the update ran, and two
   * pauses of one endpoint, from a server's two recorders, waited on each other for 300 ms.
   */
  static Optional<Instant> pause(
      DSLContext dsl, UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
    // As the database keeps it, so that a pause begun here is told by its time.
    Instant begun = now.truncatedTo(ChronoUnit.MICROS);
    OffsetDateTime since =
        dsl.update(WEBHOOKS)
            .set(
                WEBHOOKS.UNREACHABLE_SINCE,
                DSL.coalesce(WEBHOOKS.UNREACHABLE_SINCE, DSL.val(Times.toDb(begun))))
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
    if (!since.toInstant().equals(begun)) {
      return Optional.of(since.toInstant());
    }
    dsl.deleteFrom(RETURNING_BACKLOGS).where(RETURNING_BACKLOGS.WEBHOOK_ID.eq(webhookId)).execute();
    dsl.update(DELIVERY_QUEUE)
        .set(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME, PARKED)
        .where(
            DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId),
            DSL.condition("{0} < 'infinity'::timestamptz", DELIVERY_QUEUE.NEXT_ATTEMPT_TIME),
            DELIVERY_QUEUE.LEASE_UNTIL.isNull().or(DELIVERY_QUEUE.LEASE_UNTIL.le(Times.toDb(now))))
        .execute();
    return Optional.of(since.toInstant());
  }

  /**
   * Ends the endpoint's pause, if it is paused: claims take its backlog from now on, until {@link
   * Probes#release} finds none left; of an ordered webhook's, each line's first is made due here.
   *
   * @return whether it was paused
   */
  static boolean resume(DSLContext dsl, UUID webhookId, Instant now) {
    String ordering =
        dsl.update(WEBHOOKS)
            .setNull(WEBHOOKS.UNREACHABLE_SINCE)
            .setNull(WEBHOOKS.NEXT_PROBE_TIME)
            .where(WEBHOOKS.ID.eq(webhookId), WEBHOOKS.UNREACHABLE_SINCE.isNotNull())
            .returningResult(WEBHOOKS.ORDERING)
            .fetchOne(WEBHOOKS.ORDERING);
    if (ordering == null) {
      return false;
    }
    if (ordering.equals(Ordering.UNORDERED.name())) {
      dsl.insertInto(RETURNING_BACKLOGS)
          .set(RETURNING_BACKLOGS.WEBHOOK_ID, webhookId)
          .set(RETURNING_BACKLOGS.RETURN_TIME, Times.toDb(now))
          .onConflictDoNothing()
          .execute();
    } else {
      letGo(dsl, webhookId, now, Integer.MAX_VALUE);
    }
    return true;
  }

  /**
   * Hand-written to give claims back unattempted in one statement of fixed text, as {@link
   * AttemptRecords#RECORD_RETRIES} applies retries: each still held under its lease token waits
   * parked if its webhook is paused, due at the second parameter otherwise. Returns each held
   * delivery's webhook and whether it was parked. The claims of a webhook paused here were given
   * back one statement each, up to a hundred at the moment of the pause, on the queue's connections
   * that every other webhook's claims and records share.
   */
  static final String PARK =
      """
      update delivery_queue q
         set lease_token = null, lease_until = null,
             next_attempt_time = %s
        from unnest(?::uuid[], ?::uuid[]) as v(id, lease_token)
       where q.delivery_id = any(array(select id from unnest(?::uuid[]) as ids(id)))
         and q.delivery_id = v.id and q.lease_token = v.lease_token
      returning q.webhook_id, q.next_attempt_time = 'infinity'::timestamptz
      """
          .formatted(parkedIfPaused("?::timestamptz"));

  /**
   * Runs {@link #PARK}; returns the webhooks of the claims made due rather than parked, their
   * endpoints no longer paused. A claim no longer held is left as it is.
   */
  static Set<UUID> park(DSLContext dsl, List<ClaimedDelivery> claims, Instant now) {
    Set<UUID> notPaused = new HashSet<>();
    if (claims.isEmpty()) {
      return notPaused;
    }
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(PARK)) {
            statement.setObject(1, Times.toDb(now));
            new SqlArrays<>(statement, claims, 2)
                .addIds(ClaimedDelivery::id)
                .addIds(ClaimedDelivery::leaseToken)
                .addIds(ClaimedDelivery::id);
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                if (!rows.getBoolean(2)) {
                  notPaused.add(rows.getObject(1, UUID.class));
                }
              }
            }
          }
        });
    return notPaused;
  }

  static int letGo(DSLContext dsl, UUID webhookId, Instant now, int max) {
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
