package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;

import dev.herald.domain.TimeOrderedIds;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Finds a delivery in its partition: by its creation time when known, else by the millisecond its
 * id tells ({@link TimeOrderedIds}). Only ids made before partitions tell no time; those are looked
 * for in every partition, of which theirs, the first, is the one holding them.
 */
final class CreationTimes {
  private CreationTimes() {}

  /** The delivery {@code id}, made at {@code createTime}. */
  static Condition delivery(UUID id, Instant createTime) {
    return DELIVERIES.ID.eq(id).and(DELIVERIES.CREATE_TIME.eq(Times.toDb(createTime)));
  }

  /** The delivery {@code id}, in the partition its id names. */
  static Condition delivery(UUID id) {
    return DELIVERIES.ID.eq(id).and(ofId(id).of(DELIVERIES.CREATE_TIME));
  }

  /** The millisecond a time-ordered id was made in, or all time for an id that tells none. */
  static Span ofId(UUID id) {
    return TimeOrderedIds.timeOf(id)
        .map(millisecond -> new Span(millisecond, millisecond.plusMillis(1)))
        .orElse(Span.ALL);
  }

  /**
   * Creation times from {@code from} (inclusive) to {@code until} (exclusive), either left open:
   * written as constants on each partitioned table a statement reads, so that the planner leaves
   * out the other days' partitions rather than starting a scan of each.
   */
  record Span(Instant from, Instant until) {
    static final Span ALL = new Span(null, null);

    Condition of(Field<OffsetDateTime> createTime) {
      Condition within = DSL.noCondition();
      if (from != null) {
        within = within.and(createTime.ge(Times.toDb(from)));
      }
      if (until != null) {
        within = within.and(createTime.lt(Times.toDb(until)));
      }
      return within;
    }
  }
}
