package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One POST to a subscriber. {@code responseStatusCode} is 0 when no response arrived; {@code
 * error} says why (empty when a response arrived). {@code retryAfter} is the receiver's
 * {@code Retry-After}, when it sent one; it steers the next attempt and is not stored.
 */
public record DeliveryAttempt(
    int attemptNumber,
    String url,
    Instant startTime,
    Duration duration,
    int responseStatusCode,
    String responseBody,
    String error,
    boolean succeeded,
    Duration retryAfter) {

  public DeliveryAttempt {
    requireNonNull(url, "url");
    requireNonNull(startTime, "startTime");
    requireNonNull(duration, "duration");
    requireNonNull(responseBody, "responseBody");
    requireNonNull(error, "error");
  }
}
