package dev.herald.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Ids of events and deliveries: UUIDv7 (RFC 9562), whose first 48 bits are the Unix milliseconds of
 * the record's creation. Events and deliveries are stored in partitions by creation time, so an id
 * names its partition and a read by id probes one index, never every partition.
 */
public final class TimeOrderedIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int VERSION = 7;

  private TimeOrderedIds() {}

  /** A new id whose time is {@code time}'s millisecond; the other 74 bits are random. */
  public static UUID at(Instant time) {
    long millis = time.toEpochMilli();
    long randomHigh = RANDOM.nextLong();
    long randomLow = RANDOM.nextLong();
    long most = (millis << 16) | ((long) VERSION << 12) | (randomHigh & 0x0fffL);
    long least = (randomLow & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(most, least);
  }

  /**
   * The millisecond an id was made in, if it is time-ordered; ids from before time-ordered ids
   * (random, version 4) tell no time.
   */
  public static Optional<Instant> timeOf(UUID id) {
    if (id.version() != VERSION || id.variant() != 2) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16));
  }
}
