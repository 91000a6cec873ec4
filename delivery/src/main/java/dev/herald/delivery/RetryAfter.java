package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After}: delay-seconds or an HTTP-date. */
final class RetryAfter {
  private RetryAfter() {}

  static Optional<Duration> parse(String value, Instant now) {
    String trimmed = value.trim();
    if (trimmed.chars().allMatch(Character::isDigit)
        && !trimmed.isEmpty()
        && trimmed.length() < 10) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
    }
    try {
      Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration until = Duration.between(now, at);
      return Optional.of(until.isNegative() ? Duration.ZERO : until);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
