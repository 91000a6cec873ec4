package dev.herald.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The claim: leases the due deliveries and returns what an attempt needs. Each step is reached by
 * key whatever the planner's statistics say (docs/performance.md, "The claim"), a delivery by its
 * id and creation time, which name its partition.
 */
final class Claims {
  private Claims() {}

  /**
   * Hand-written so its plan stays on keys under any statistics; {@code %1$d} is the limit, written
   * in (a bound limit leaves a generic plan expecting a tenth of the table). The due rows are read
   * from {@code delivery_queue_due} in order, from the earliest due time asked for (a look beside
   * saturated webhooks reads only what became due since the last), rows other workers hold are
   * skipped, and saturated webhooks (the sixth parameter; an empty array passes over nothing) are
   * passed over, as is a delivery of a bot's line with an earlier one still in the queue ({@link
   * Lines}). Room left after the due rows goes to the backlogs of endpoints back from a pause
   * ({@link Pauses}), those not passed over (the eighth parameter, as the sixth), oldest first,
   * read from {@code delivery_queue_parked} where they wait, unless held under a lease running past
   * the seventh: a backlog's delivery is written once by its claim, as a due one is, not made due
   * first. A delivery's body is its event's, with its own key ({@link StoredBodies}), read once per
   * row at the top: in the subquery over {@code deliveries} it would be planned once per partition,
   * each over every partition of {@code events}, and each claim would start days squared index
   * scans. A delivery is looked up by its webhook too ({@link AttemptRecords#deliveryOf}); the
   * attempts it has had and where its round of retries started are its queue row's (V20). Each row
   * ends with the generation of signing keys the claim was made in ({@link KeptSigningKeys}).
   *
   * <p>A claim's commit does not wait for the disk ({@code synchronous_commit} off for its own
   * transaction): a lease is not worth the wait, which held every claimed row back by a flush of
   * the write-ahead log. Lost in a crash of the database, a lease is as if never taken, and its
   * deliveries are claimed again, as when a worker dies; any record made after it does wait, and
   * the log is flushed in order, so a recorded attempt's lease is on the disk before its record.
   */
  static final String CLAIM =
      """
      with leased as (
        update delivery_queue
           set lease_until = ?::timestamptz, lease_token = ?::uuid
         where delivery_id = any(array(
                 select due.delivery_id
                   from (
                     select delivery_id
                       from delivery_queue
                      where next_attempt_time >= ?::timestamptz
                        and next_attempt_time <= ?::timestamptz
                        and (lease_until is null or lease_until <= ?::timestamptz)
                        and webhook_id <> all(?::uuid[])
                        and (order_seq is null or not exists (
                              select 1
                                from delivery_queue ahead
                               where ahead.webhook_id = delivery_queue.webhook_id
                                 and ahead.bot_id = delivery_queue.bot_id
                                 and ahead.order_seq < delivery_queue.order_seq))
                      order by next_attempt_time
                      limit %1$d
                        for update skip locked) due
                 union all
                 select back.delivery_id
                   from returning_backlogs r
                  cross join lateral (
                     select p.delivery_id
                       from delivery_queue p
                      where p.webhook_id = r.webhook_id
                        and p.next_attempt_time = 'infinity'
                        and p.order_seq is null
                        and (p.lease_until is null or p.lease_until <= ?::timestamptz)
                      order by p.delivery_create_time
                      limit %1$d
                        for update skip locked) back
                  where r.webhook_id <> all(?::uuid[])
                  limit %1$d))
        returning delivery_id, delivery_create_time, webhook_id, order_seq, attempts_made,
                  round_start
      )
      select d.id, coalesce(d.idempotency_key, d.id), d.webhook_id, d.project_id, w.url, d.payload,
             l.attempts_made,
             l.round_start, d.create_time, d.bot_id, l.order_seq is not null,
             w.max_requests_per_second, w.unreachable_since is not null,
             case when d.payload is null then (
               select coalesce(e.packed_body, convert_to(e.body, 'UTF8'))
                 from events e
                where e.id = d.event_id and e.create_time = d.create_time) end,
             (select generation from generations where subject = 'signing')
        from leased l
        cross join (select set_config('synchronous_commit', 'off', true)) lease_commit
        cross join lateral (
          select d.id, d.idempotency_key, d.webhook_id, d.project_id, d.payload, d.create_time,
                 d.bot_id, d.event_id
            from deliveries d
           where d.id = l.delivery_id and d.create_time = l.delivery_create_time
             and d.webhook_id = l.webhook_id
          offset 0) d
        join webhooks w on w.id = d.webhook_id
      """;

  /** A claimed row, before its project's signing keys are added. */
  record ClaimedRow(
      UUID id,
      UUID idempotencyKey,
      UUID webhookId,
      String projectId,
      String url,
      String payload,
      int attemptsMade,
      int roundStart,
      Instant createTime,
      String botId,
      boolean inLine,
      OptionalInt maxRequestsPerSecond,
      boolean probe) {}

  /**
   * What a claim leased, and the generation of signing keys ({@link KeptSigningKeys}) in its
   * snapshot: -1 when it leased nothing.
   */
  record Claimed(List<ClaimedRow> rows, long signingGeneration) {}

  /**
   * {@link #CLAIM} written out once for each size asked for. Written out on every claim, formatting
   * its 3 kB and the driver's look-up of its prepared statement by the new text (hashing it) took
   * about 5 µs of the claim loop's one thread per claim, warm, and showed among the loop's hottest
   * frames in a profile of the sweep, where claims follow each other every millisecond or so. The
   * dispatcher claims at most a batch (128) at a time, so this holds at most that many texts.
   */
  private static final Map<Integer, String> CLAIMS_OF_SIZE = new ConcurrentHashMap<>();

  /** Runs {@link #CLAIM} on {@code connection}, in the caller's transaction. */
  static Claimed claim(
      Connection connection,
      int max,
      Instant dueSince,
      Instant now,
      Instant leaseUntil,
      UUID leaseToken,
      Set<UUID> busyWebhooks)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(CLAIMS_OF_SIZE.computeIfAbsent(max, CLAIM::formatted))) {
      statement.setObject(1, Times.toDb(leaseUntil));
      statement.setObject(2, leaseToken);
      statement.setObject(3, Times.toDb(dueSince));
      statement.setObject(4, Times.toDb(now));
      statement.setObject(5, Times.toDb(now));
      String busy = ArrayLiterals.of(List.copyOf(busyWebhooks));
      statement.setString(6, busy);
      statement.setObject(7, Times.toDb(now));
      statement.setString(8, busy);
      List<ClaimedRow> claimed = new ArrayList<>();
      long signingGeneration = -1;
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          signingGeneration = rows.getLong(15);
          claimed.add(
              new ClaimedRow(
                  rows.getObject(1, UUID.class),
                  rows.getObject(2, UUID.class),
                  rows.getObject(3, UUID.class),
                  rows.getString(4),
                  rows.getString(5),
                  StoredBodies.of(
                      rows.getString(6), rows.getBytes(14), rows.getObject(2, UUID.class)),
                  rows.getInt(7),
                  rows.getInt(8),
                  rows.getObject(9, OffsetDateTime.class).toInstant(),
                  rows.getString(10),
                  rows.getBoolean(11),
                  rate(rows.getObject(12, Integer.class)),
                  rows.getBoolean(13)));
        }
      }
      return new Claimed(claimed, signingGeneration);
    }
  }

  private static OptionalInt rate(Integer maxRequestsPerSecond) {
    return maxRequestsPerSecond == null
        ? OptionalInt.empty()
        : OptionalInt.of(maxRequestsPerSecond);
  }
}
