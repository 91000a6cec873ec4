package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;

import dev.herald.domain.TimeOrderedIds;
import java.time.Instant;
import java.util.UUID;
import org.jooq.Condition;

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
    return TimeOrderedIds.timeOf(id)
        .map(
            millisecond ->
                DELIVERIES
                    .ID
                    .eq(id)
                    .and(DELIVERIES.CREATE_TIME.ge(Times.toDb(millisecond)))
                    .and(DELIVERIES.CREATE_TIME.lt(Times.toDb(millisecond.plusMillis(1)))))
        .orElse(DELIVERIES.ID.eq(id));
  }
}
