package dev.herald.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids of events and deliveries: UUIDv7 (RFC 9562), whose first 48 bits are the Unix milliseconds of
 * the record's creation. Events and deliveries are stored in partitions by creation time, so an id
 * names its partition and a read by id probes one index, never every partition.
 *
 * <p>Ids made in this process sort in the order they were made among those of the same creation
 * time (the RFC's method 3, then method 1): the 12 bits after the version are the time's fraction
 * of its millisecond, the 30 after the variant a counter. An event's deliveries share its creation
 * time; in random order, each insert into the history's indexes, whose keys end in the creation
 * time and the id, landed inside the last pages rather than at their end, and the pages those
 * inserts split stayed half empty. The last 32 bits are random, so that servers counting alike at
 * the same instant still make different ids.
 */
public final class TimeOrderedIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int VERSION = 7;
  private static final long FRACTION_STEPS = 1L << 12;
  private static final long COUNTER_MASK = (1L << 30) - 1;
  private static final AtomicLong COUNTER = new AtomicLong(RANDOM.nextLong());

  private TimeOrderedIds() {}

  /** A new id whose time is {@code time}'s millisecond, after the ids made before it here. */
  public static UUID at(Instant time) {
    long millis = time.toEpochMilli();
    long fraction = (time.getNano() % 1_000_000L) * FRACTION_STEPS / 1_000_000L;
    long counter = COUNTER.getAndIncrement() & COUNTER_MASK;
    long most = (millis << 16) | ((long) VERSION << 12) | fraction;
    long least = 0x8000000000000000L | (counter << 32) | (RANDOM.nextInt() & 0xffffffffL);
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
