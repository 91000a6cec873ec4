package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What a claim's holder does to its lease short of recording an attempt: renew it, or give it back.
 */
final class Leases {
  private Leases() {}

  /**
   * Hand-written to renew every claim of a dispatcher (several hundred) in one statement of fixed
   * text, two arrays rather than a condition each. Rows another transaction has locked are passed
   * over: that is a record about to end or release them, and waiting for it deadlocked
   * (docs/performance.md, "Lease renewal"). Each row's lease token is found by its id's place in
   * the batch, as in {@link AttemptRecords#RECORD_ATTEMPTS}: joined to the batch, each row read
   * every claim of it.
   */
  static final String RENEW_LEASES =
      """
      with held as (
        select ?::uuid[] as ids, ?::uuid[] as tokens
      ),
      renewable as (
        select q.delivery_id
          from delivery_queue q
         where q.delivery_id = any((select ids from held)::uuid[])
           and q.lease_token = any(array(
                 select h.tokens[i]
                   from held h, unnest(array_positions(h.ids, q.delivery_id)) as i))
           for update of q skip locked
      )
      update delivery_queue q set lease_until = ?::timestamptz
       where q.delivery_id = any(array(select delivery_id from renewable))
      """;

  /** Runs {@link #RENEW_LEASES}; returns how many leases it extended. */
  static int renew(DSLContext dsl, List<ClaimedDelivery> held, Instant leaseUntil) {
    return dsl.connectionResult(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(RENEW_LEASES)) {
            new SqlArrays<>(statement, held)
                .addIds(ClaimedDelivery::id)
                .addIds(ClaimedDelivery::leaseToken);
            statement.setObject(3, Times.toDb(leaseUntil));
            return statement.executeUpdate();
          }
        });
  }

  /** Gives the delivery back unattempted, due at {@code dueAt}, if the claim still holds it. */
  static int release(DSLContext dsl, ClaimedDelivery claim, Instant dueAt) {
    return dsl.update(DELIVERY_QUEUE)
        .set(DELIVERY_QUEUE.LEASE_TOKEN, (UUID) null)
        .set(DELIVERY_QUEUE.LEASE_UNTIL, (OffsetDateTime) null)
        .set(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME, Times.toDb(dueAt))
        .where(
            DELIVERY_QUEUE.DELIVERY_ID.eq(claim.id()),
            DELIVERY_QUEUE.LEASE_TOKEN.eq(claim.leaseToken()))
        .execute();
  }
}
