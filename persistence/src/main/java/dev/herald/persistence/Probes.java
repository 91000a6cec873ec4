package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.WEBHOOKS;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The probes' tick, once a second on every server ({@link Pauses}): lets each paused endpoint's
 * next probe go when its time has come, and ends the returning backlogs that have gone.
 */
final class Probes {
  private Probes() {}

  /**
   * Hand-written so that each returning backlog is asked for its oldest parked delivery, as a claim
   * reads it ({@link Claims#CLAIM}): one entry of {@code delivery_queue_parked}. Asked whether any
   * is parked, the planner read every parked row of the queue through {@code delivery_queue_due}
   * once a second while a backlog drained (110 ms of PostgreSQL's time at 80,000 rows), or, told
   * most of the queue is one webhook's, looked through the table for one.
   */
  static final String BACKLOGS_DONE =
      """
      delete from returning_backlogs r
       where (select p.delivery_create_time
                from delivery_queue p
               where p.webhook_id = r.webhook_id
                 and p.next_attempt_time = 'infinity'
                 and p.order_seq is null
               order by p.delivery_create_time
               limit 1) is null
      """;

  /**
   * For each webhook whose {@code next_probe_time} has come: a paused one's first parked delivery
   * goes as its probe, and its next probe waits {@code probeLease}, so that one probe at a time is
   * in flight. A returning backlog none of whose deliveries is parked any more is done.
   *
   * @return how many deliveries were let go
   */
  static int release(DSLContext dsl, Instant now, Duration probeLease) {
    // A webhook deleted or switched off meanwhile has no deliveries left to probe or let go.
    dsl.update(WEBHOOKS)
        .setNull(WEBHOOKS.UNREACHABLE_SINCE)
        .setNull(WEBHOOKS.NEXT_PROBE_TIME)
        .where(
            WEBHOOKS.NEXT_PROBE_TIME.isNotNull(),
            WEBHOOKS.ACTIVE.isFalse().or(WEBHOOKS.DELETE_TIME.isNotNull()))
        .execute();
    dsl.execute(BACKLOGS_DONE);
    var probed =
        dsl.select(WEBHOOKS.ID)
            .from(WEBHOOKS)
            .where(WEBHOOKS.NEXT_PROBE_TIME.le(Times.toDb(now)))
            .forUpdate()
            .skipLocked()
            .fetch(WEBHOOKS.ID);
    int let = 0;
    for (UUID id : probed) {
      dsl.update(WEBHOOKS)
          .set(WEBHOOKS.NEXT_PROBE_TIME, Times.toDb(now.plus(probeLease)))
          .where(WEBHOOKS.ID.eq(id))
          .execute();
      let += Pauses.letGo(dsl, id, now, 1);
    }
    return let;
  }
}
