package dev.herald.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** jOOQ maps timestamptz to OffsetDateTime; the domain speaks Instant. */
final class Times {
  private Times() {}

  static OffsetDateTime toDb(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant fromDb(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
