package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One POST to a subscriber. {@code responseStatusCode} is 0 when no response arrived; {@code error}
 * says why (empty when a response arrived). {@code retryAfter} is the receiver's {@code
 * Retry-After}, when it sent one; it steers the next attempt and is not stored. The response body
 * and the error are receiver-supplied text, made safe to store and log by {@link ReceiverText}
 * whoever builds the attempt.
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
    responseBody = ReceiverText.body(responseBody);
    error = ReceiverText.error(error);
  }

  /**
   * This attempt as it can still be recorded when its full record was refused: the status code and
   * timing stay, the response body goes, and the error says why.
   */
  public DeliveryAttempt withoutResponse(String why) {
    return new DeliveryAttempt(
        attemptNumber,
        url,
        startTime,
        duration,
        responseStatusCode,
        "",
        why,
        succeeded,
        retryAfter);
  }
}
