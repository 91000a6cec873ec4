package dev.herald.persistence;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A span of whole days, cut in UTC as the partitions are, that a statement reads: {@code from}
 * inclusive, {@code until} exclusive. A hot statement has its days written into its text as
 * literals ({@link DayTexts}), not bound: PostgreSQL then leaves the other days' partitions out as
 * it plans, and a plan kept for any values reads and locks those days' partitions only. Bound, the
 * days prune only as the statement starts, after every partition of the table has been locked
 * (PostgreSQL 17 and before), and the kept plan covers every day: with a month of partitions the
 * claim's took 15.9 ms to make, against 2.8 ms with its days written in (docs/performance.md,
 * "History").
 */
record Days(OffsetDateTime from, OffsetDateTime until) {

  /** Yesterday, today and tomorrow: where a claim finds the deliveries it leased. */
  static Days around(Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return new Days(startOf(today.minusDays(1)), startOf(today.plusDays(2)));
  }

  /**
   * The days before the days of {@code earliest} to {@code latest}: from the day before the
   * earliest's to the start of the latest's, where an event id seen earlier is looked for.
   */
  static Days before(Instant earliest, Instant latest) {
    return new Days(
        startOf(LocalDate.ofInstant(earliest, ZoneOffset.UTC).minusDays(1)),
        startOf(LocalDate.ofInstant(latest, ZoneOffset.UTC)));
  }

  /** {@code from} as a SQL literal. */
  String fromLiteral() {
    return literal(from);
  }

  /** {@code until} as a SQL literal. */
  String untilLiteral() {
    return literal(until);
  }

  private static String literal(OffsetDateTime time) {
    return "timestamptz '" + time.toInstant() + "'";
  }

  private static OffsetDateTime startOf(LocalDate day) {
    return day.atStartOfDay().atOffset(ZoneOffset.UTC);
  }
}
