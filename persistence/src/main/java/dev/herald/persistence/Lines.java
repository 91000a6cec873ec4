package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;

import dev.herald.domain.delivery.AttemptOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The bots' lines of ordered webhooks in the queue. A delivery joins its line at ingest with the
 * next {@code order_seq}, parked at {@code 'infinity'} if another of the line is in the queue
 * ({@link IngestStatement#INGEST} locks that one, so its end waits for the newcomer's commit and
 * then sees it); when a line's delivery ends, {@link #LET_NEXT_GO} makes the line's first one due.
 * The claim, for its part, passes over a line's delivery while an earlier one is in the queue,
 * which covers two deliveries of a line made at the same moment by different transactions, neither
 * seeing the other.
 */
final class Lines {
  /** A delivery of a line waiting behind an earlier one, outside the range claims read. */
  static final Condition PARKED =
      DSL.condition("{0} = 'infinity'::timestamptz", DELIVERY_QUEUE.NEXT_ATTEMPT_TIME);

  private Lines() {}

  /**
   * Hand-written to reach each line's first delivery by the lines' index, one probe a line: the
   * lines (webhook, bot: the second and third parameters) whose delivery just ended get their first
   * delivery due at the first parameter, if it is parked. Run as a statement of its own after the
   * end, in its transaction: a snapshot taken before the end's wait for a newcomer's lock would not
   * see the newcomer.
   */
  static final String LET_NEXT_GO =
      """
      update delivery_queue q
         set next_attempt_time = ?::timestamptz
       where q.delivery_id = any(array(
               select h.delivery_id
                 from unnest(?::uuid[], ?::text[]) as e(webhook_id, bot_id)
                 cross join lateral (
                   select l.delivery_id
                     from delivery_queue l
                    where l.webhook_id = e.webhook_id
                      and l.bot_id = e.bot_id
                      and l.order_seq is not null
                    order by l.order_seq
                    limit 1) h))
         and q.next_attempt_time = 'infinity'
      """;

  /** Lets the next delivery of each line go whose delivery {@code ended}. */
  static void letNextGo(Connection connection, List<AttemptOutcome> ended) throws SQLException {
    Instant now =
        ended.stream()
            .map(o -> o.attempt().startTime().plus(o.attempt().duration()))
            .max(Instant::compareTo)
            .orElseThrow();
    try (PreparedStatement statement = connection.prepareStatement(LET_NEXT_GO)) {
      statement.setObject(1, Times.toDb(now));
      statement.setObject(
          2, new UuidArray(ended.stream().map(o -> o.claim().webhookId()).toList()));
      statement.setString(3, ArrayLiterals.of(ended.stream().map(o -> o.claim().botId()).toList()));
      statement.executeUpdate();
    }
  }

  /**
   * A webhook no longer ordered lets its waiting deliveries go: each leaves its bot's line, and one
   * parked behind another is due now. Found by the lines' index, which holds ordered rows only.
   */
  static void leave(DSLContext dsl, UUID webhookId, Instant now) {
    dsl.update(DELIVERY_QUEUE)
        .set(
            DELIVERY_QUEUE.NEXT_ATTEMPT_TIME,
            DSL.when(PARKED, DSL.val(Times.toDb(now))).otherwise(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
        .setNull(DELIVERY_QUEUE.ORDER_SEQ)
        .setNull(DELIVERY_QUEUE.BOT_ID)
        .where(DELIVERY_QUEUE.WEBHOOK_ID.eq(webhookId), DELIVERY_QUEUE.ORDER_SEQ.isNotNull())
        .execute();
  }
}
