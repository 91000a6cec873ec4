package dev.herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {
  private static final Instant TIME = Instant.parse("2026-11-30T06:01:02.345678Z");

  @Test
  void isAVersionSevenUuidOfTheRfcVariant() {
    UUID id = TimeOrderedIds.at(TIME);

    assertEquals(7, id.version());
    assertEquals(2, id.variant());
  }

  @Test
  void tellsTheMillisecondItWasMadeIn() {
    assertEquals(
        Optional.of(Instant.parse("2026-11-30T06:01:02.345Z")),
        TimeOrderedIds.timeOf(TimeOrderedIds.at(TIME)));
  }

  @Test
  void startsWithTheMillisecondsSoItSortsByTime() {
    String id = TimeOrderedIds.at(TIME).toString().replace("-", "");

    assertTrue(id.startsWith(String.format("%012x", TIME.toEpochMilli())), id);
    assertTrue(
        TimeOrderedIds.at(TIME.plusMillis(1))
                .toString()
                .compareTo(TimeOrderedIds.at(TIME).toString())
            > 0);
  }

  @Test
  void randomIdsTellNoTime() {
    assertEquals(Optional.empty(), TimeOrderedIds.timeOf(UUID.randomUUID()));
  }

  @Test
  void idsOfOneMillisecondDiffer() {
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(TimeOrderedIds.at(TIME));
    }
    assertEquals(10_000, ids.size());
  }

  /** PostgreSQL compares uuids byte by byte, as their canonical texts compare. */
  @Test
  void idsOfOneInstantSortInTheOrderTheyWereMade() {
    String previous = TimeOrderedIds.at(TIME).toString();
    for (int i = 0; i < 10_000; i++) {
      String next = TimeOrderedIds.at(TIME).toString();
      assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
      previous = next;
    }
  }

  @Test
  void aLaterMicrosecondOfTheSameMillisecondSortsAfter() {
    String later = TimeOrderedIds.at(TIME.plusNanos(1_000)).toString();
    String earlier = TimeOrderedIds.at(TIME).toString();

    assertTrue(later.compareTo(earlier) > 0, earlier + " then " + later);
  }
}
