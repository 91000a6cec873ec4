package dev.herald.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>Past 250 lines as one class because the statements and the reading of their columns by number
 * change together.
 */
final class Claims {
  private Claims() {}

  /**
   * Hand-written so its plan stays on keys under any statistics; {@code %1$d} is the limit, written
   * in (a bound limit leaves a generic plan expecting a tenth of the table). The due rows are read
   * from {@code delivery_queue_due} in order, from the earliest due time asked for (a look beside
   * saturated webhooks reads only what became due since the last), rows other workers hold are
   * skipped, and the rows locked are leased where they lie, by their address ({@code ctid}), which
   * their lock keeps in place (found again by key, each was a second walk down the queue's primary
   * key: docs/performance.md, "The claim"); a row another claim or record changed after this claim
   * began is left for the next. Saturated webhooks (the sixth parameter; an empty array passes over
   * nothing) are passed over, as is a delivery of a bot's line with an earlier one still in the
   * queue ({@link Lines}). Room left after the due rows goes to the backlogs of endpoints back from
   * a pause ({@link Pauses}), those not passed over (the eighth parameter, as the sixth), oldest
   * first, read from {@code delivery_queue_parked} where they wait, unless held under a lease
   * running past the seventh: a backlog's delivery is written once by its claim, as a due one is,
   * not made due first. A row queued by ingest names its event (V26), and the event is all of the
   * delivery an attempt needs: its body, project and bot, and the delivery's id as its key ({@link
   * StoredBodies}); looked up through the delivery first, each row cost PostgreSQL 4 to 7 µs more.
   * A row that names none (queued before V26, or put back by hand) is read through its delivery,
   * looked up by its webhook too ({@link AttemptRecords#deliveryOf}), whose own key and payload, if
   * it has them, win. The event is read in a sub-query of its own: in the one over {@code
   * deliveries} it would be planned once per partition, each over every partition of {@code
   * events}, and each claim would start days squared index scans. The attempts a delivery has had
   * and where its round of retries started are its queue row's (V20). Each row carries the
   * generation of signing keys the claim was made in ({@link KeptSigningKeys}).
   *
   * <p>A delivery and its event are read here only from the claim's {@link Days} ({@link
   * Days#around}, {@code %2$s} and {@code %3$s}, written in): a row leased of another day, a
   * backlog's or a resent delivery's, comes back with its eleventh column false and is read by
   * {@link #OUTSIDE_THE_DAYS}, a round trip more for the few claims that hold one.
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
         where ctid = any(array(
                 select due.ctid
                   from (
                     select ctid
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
                 select back.ctid
                   from returning_backlogs r
                  cross join lateral (
                     select p.ctid
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
                  round_start, event_id
      )
      select l.delivery_id, l.webhook_id, l.delivery_create_time, l.attempts_made, l.round_start,
             l.order_seq is not null, w.url, w.max_requests_per_second,
             w.unreachable_since is not null,
             (select generation from generations where subject = 'signing'),
             coalesce(d.project_id, e.project_id) is not null,
             coalesce(d.idempotency_key, l.delivery_id), coalesce(d.project_id, e.project_id),
             coalesce(d.bot_id, e.bot_id), d.payload, e.body
        from leased l
        cross join (select set_config('synchronous_commit', 'off', true)) lease_commit
        left join lateral (
          select d.idempotency_key, d.project_id, d.bot_id, d.payload, d.event_id
            from deliveries d
           where l.event_id is null
             and d.id = l.delivery_id and d.create_time = l.delivery_create_time
             and d.webhook_id = l.webhook_id
             and d.create_time >= %2$s and d.create_time < %3$s
          offset 0) d on true
        left join lateral (
          select e.project_id, e.bot_id, coalesce(e.packed_body, convert_to(e.body, 'UTF8')) as body
            from events e
           where d.payload is null
             and e.id = coalesce(l.event_id, d.event_id) and e.create_time = l.delivery_create_time
             and e.create_time >= %2$s and e.create_time < %3$s
          offset 0) e on true
        join webhooks w on w.id = l.webhook_id
      """;

  /**
   * The deliveries of leased rows made outside the claim's {@link Days}, each looked up in its own
   * day as the claim's are, with the same columns as the claim's last five.
   */
  static final String OUTSIDE_THE_DAYS =
      """
      select v.id, coalesce(d.idempotency_key, d.id), d.project_id, d.bot_id, d.payload,
             case when d.payload is null then (
               select coalesce(e.packed_body, convert_to(e.body, 'UTF8'))
                 from events e
                where e.id = d.event_id and e.create_time = d.create_time) end
        from unnest(?::uuid[], ?::timestamptz[], ?::uuid[]) as v(id, create_time, webhook_id)
        cross join lateral (
          select d.id, d.idempotency_key, d.project_id, d.bot_id, d.payload, d.create_time,
                 d.event_id
            from deliveries d
           where d.id = v.id and d.create_time = v.create_time and d.webhook_id = v.webhook_id
          offset 0) d
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

  /** A leased queue row with its webhook's part, before its delivery's own part is read. */
  private record Leased(
      UUID id,
      UUID webhookId,
      Instant createTime,
      int attemptsMade,
      int roundStart,
      boolean inLine,
      String url,
      OptionalInt maxRequestsPerSecond,
      boolean probe) {

    static Leased read(ResultSet rows) throws SQLException {
      return new Leased(
          rows.getObject(1, UUID.class),
          rows.getObject(2, UUID.class),
          rows.getObject(3, OffsetDateTime.class).toInstant(),
          rows.getInt(4),
          rows.getInt(5),
          rows.getBoolean(6),
          rows.getString(7),
          rate(rows.getObject(8, Integer.class)),
          rows.getBoolean(9));
    }

    ClaimedRow with(Stored stored) {
      return new ClaimedRow(
          id,
          stored.idempotencyKey(),
          webhookId,
          stored.projectId(),
          url,
          stored.body(),
          attemptsMade,
          roundStart,
          createTime,
          stored.botId(),
          inLine,
          maxRequestsPerSecond,
          probe);
    }
  }

  /** A delivery's own part: its key, project, bot and body, read from five columns. */
  private record Stored(UUID idempotencyKey, String projectId, String botId, String body) {
    static Stored read(ResultSet rows, int first) throws SQLException {
      UUID idempotencyKey = rows.getObject(first, UUID.class);
      return new Stored(
          idempotencyKey,
          rows.getString(first + 1),
          rows.getString(first + 2),
          StoredBodies.of(rows.getString(first + 3), rows.getBytes(first + 4), idempotencyKey));
    }
  }

  /**
   * {@link #CLAIM} written out once for each size asked for and each day. Written out on every
   * claim, formatting its 3 kB and the driver's look-up of its prepared statement by the new text
   * (hashing it) took about 5 µs of the claim loop's one thread per claim, warm, and showed among
   * the loop's hottest frames in a profile of the sweep, where claims follow each other every
   * millisecond or so. The dispatcher claims at most a batch (128) at a time, so this holds at most
   * that many texts.
   */
  private static final Map<Integer, DayTexts> CLAIMS_OF_SIZE = new ConcurrentHashMap<>();

  /** {@link #CLAIM} of at most {@code max} rows, reading its deliveries from {@code days}. */
  static String text(int max, Days days) {
    return CLAIMS_OF_SIZE
        .computeIfAbsent(
            max,
            size -> new DayTexts(d -> CLAIM.formatted(size, d.fromLiteral(), d.untilLiteral())))
        .of(days);
  }

  /**
   * Runs {@link #CLAIM} on {@code connection}, in the caller's transaction, and {@link
   * #OUTSIDE_THE_DAYS} for what it leased of other days (a backlog's or a resent delivery's).
   */
  static Claimed claim(
      Connection connection,
      int max,
      Instant dueSince,
      Instant now,
      Instant leaseUntil,
      UUID leaseToken,
      Set<UUID> busyWebhooks)
      throws SQLException {
    List<ClaimedRow> claimed = new ArrayList<>();
    List<Leased> outside = new ArrayList<>();
    long signingGeneration = -1;
    try (PreparedStatement statement = connection.prepareStatement(text(max, Days.around(now)))) {
      statement.setObject(1, Times.toDb(leaseUntil));
      statement.setObject(2, leaseToken);
      statement.setObject(3, Times.toDb(dueSince));
      statement.setObject(4, Times.toDb(now));
      statement.setObject(5, Times.toDb(now));
      UuidArray busy = new UuidArray(List.copyOf(busyWebhooks));
      statement.setObject(6, busy);
      statement.setObject(7, Times.toDb(now));
      statement.setObject(8, busy);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          signingGeneration = rows.getLong(10);
          Leased leased = Leased.read(rows);
          if (rows.getBoolean(11)) {
            claimed.add(leased.with(Stored.read(rows, 12)));
          } else {
            outside.add(leased);
          }
        }
      }
    }
    if (!outside.isEmpty()) {
      claimed.addAll(outsideTheDays(connection, outside));
    }
    return new Claimed(claimed, signingGeneration);
  }

  /** Reads the leased rows' deliveries of other days; one gone meanwhile is left out. */
  private static List<ClaimedRow> outsideTheDays(Connection connection, List<Leased> leased)
      throws SQLException {
    Map<UUID, Stored> stored = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(OUTSIDE_THE_DAYS)) {
      new SqlArrays<>(statement, leased)
          .addIds(Leased::id)
          .add(Leased::createTime)
          .addIds(Leased::webhookId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          stored.put(rows.getObject(1, UUID.class), Stored.read(rows, 2));
        }
      }
    }
    return leased.stream()
        .filter(row -> stored.containsKey(row.id()))
        .map(row -> row.with(stored.get(row.id())))
        .toList();
  }

  private static OptionalInt rate(Integer maxRequestsPerSecond) {
    return maxRequestsPerSecond == null
        ? OptionalInt.empty()
        : OptionalInt.of(maxRequestsPerSecond);
  }
}
