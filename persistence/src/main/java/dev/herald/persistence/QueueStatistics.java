package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * How much work waits in the queue, read from its indexes so that it costs the same however long
 * the queue is: each count walks at most {@link #COUNTED} index entries and stops, so a count at
 * the cap means "at least". The age of the oldest due delivery, the one number to alert on, is
 * exact.
 */
final class QueueStatistics {
  /** Most entries a count reads; a backlog larger than this shows as this. */
  static final int COUNTED = 100_000;

  /**
   * Hand-written to count on the due index, stopping at a cap. Due rows, in due order: those free
   * to claim, those leased, and the first free one's time.
   */
  static final String DUE =
      """
      select count(*) filter (where lease_until is null or lease_until <= ?::timestamptz),
             count(*) filter (where lease_until > ?::timestamptz),
             min(next_attempt_time)
               filter (where lease_until is null or lease_until <= ?::timestamptz)
        from (select next_attempt_time, lease_until
                from delivery_queue
               where next_attempt_time <= ?::timestamptz
               order by next_attempt_time
               limit %d) due
      """
          .formatted(COUNTED);

  /** Rows due later: retries waiting for their time. */
  static final String SCHEDULED =
      """
      select count(*)
        from (select 1
                from delivery_queue
               where next_attempt_time > ?::timestamptz
                 and next_attempt_time < 'infinity'::timestamptz
               order by next_attempt_time
               limit %d) later
      """
          .formatted(COUNTED);

  /**
   * Rows parked at {@code 'infinity'}: the backlogs of paused endpoints, and deliveries of ordered
   * webhooks waiting behind an earlier one of their bot's line. Counted apart from the scheduled
   * retries, which they outnumber in an outage, so that each figure says what it names.
   */
  static final String PARKED =
      """
      select count(*)
        from (select 1
                from delivery_queue
               where next_attempt_time = 'infinity'::timestamptz
               limit %d) parked
      """
          .formatted(COUNTED);

  /** A reading of the queue at {@code time}. */
  record Snapshot(
      Instant time,
      long due,
      long leased,
      long scheduled,
      long parked,
      Optional<Instant> oldestDue) {
    static final Snapshot NONE = new Snapshot(Instant.EPOCH, 0, 0, 0, 0, Optional.empty());
  }

  private final Transactor queue;

  /**
   * @param queue the queue's own connections, whose sessions plan on indexes
   */
  QueueStatistics(Transactor queue) {
    this.queue = requireNonNull(queue, "queue");
  }

  Snapshot read(Instant now) {
    return queue.outsideTransaction(
        dsl ->
            dsl.connectionResult(
                connection -> {
                  OffsetDateTime at = Times.toDb(now);
                  long due;
                  long leased;
                  Optional<Instant> oldest;
                  try (PreparedStatement statement = connection.prepareStatement(DUE)) {
                    for (int i = 1; i <= 4; i++) {
                      statement.setObject(i, at);
                    }
                    try (ResultSet row = statement.executeQuery()) {
                      row.next();
                      due = row.getLong(1);
                      leased = row.getLong(2);
                      oldest =
                          Optional.ofNullable(row.getObject(3, OffsetDateTime.class))
                              .map(OffsetDateTime::toInstant);
                    }
                  }
                  long scheduled;
                  try (PreparedStatement statement = connection.prepareStatement(SCHEDULED)) {
                    statement.setObject(1, at);
                    scheduled = count(statement);
                  }
                  long parked;
                  try (PreparedStatement statement = connection.prepareStatement(PARKED)) {
                    parked = count(statement);
                  }
                  return new Snapshot(now, due, leased, scheduled, parked, oldest);
                }));
  }

  private static long count(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }
}
