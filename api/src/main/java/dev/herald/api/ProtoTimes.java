package dev.herald.api;

import com.google.protobuf.Timestamp;
import dev.herald.domain.InvalidArgumentException;
import java.time.Duration;
import java.time.Instant;

/** google.protobuf.Timestamp ⇄ Instant. */
final class ProtoTimes {
  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range Timestamp allows. */
  private static final long MIN_SECONDS = -62_135_596_800L;

  private static final long MAX_SECONDS = 253_402_300_799L;

  private ProtoTimes() {}

  static Timestamp toProto(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static Duration toDuration(String field, com.google.protobuf.Duration duration) {
    if (duration.getSeconds() < 0 || duration.getNanos() < 0 || duration.getNanos() > 999_999_999) {
      throw InvalidArgumentException.of(field, "must be a non-negative duration");
    }
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  static Instant toInstant(String field, Timestamp timestamp) {
    if (timestamp.getSeconds() < MIN_SECONDS
        || timestamp.getSeconds() > MAX_SECONDS
        || timestamp.getNanos() < 0
        || timestamp.getNanos() > 999_999_999) {
      throw InvalidArgumentException.of(field, "must be a valid timestamp");
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
