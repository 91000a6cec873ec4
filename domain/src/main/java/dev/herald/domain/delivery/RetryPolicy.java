package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * What follows an attempt. Exponential backoff with jitter: after failed attempt {@code n} of a
 * round (1-based), while {@code n <= maxRetries}, the next attempt waits {@code initialDelay *
 * multiplier^(n-1)}, capped at {@code maxDelay}, plus up to {@code jitter} of that again, so that
 * retries of many deliveries that failed together spread out instead of arriving together.
 *
 * <p>A receiver's {@code Retry-After} on 429 or 503 is honoured within [that delay, {@code
 * maxDelay}]. A 410 Gone means the receiver wants no more: the webhook is disabled.
 */
public record RetryPolicy(
    int maxRetries, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

  public static final int DEFAULT_MAX_RETRIES = 3;
  private static final int GONE = 410;
  private static final java.util.Set<Integer> RETRY_AFTER_STATUSES = java.util.Set.of(429, 503);
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(30);

  public RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative");
    }
    requireNonNull(initialDelay, "initialDelay");
    requireNonNull(maxDelay, "maxDelay");
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier must be at least 1");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be between 0 and 1");
    }
  }

  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofHours(1);
  public static final double DEFAULT_JITTER = 0.25;

  public static RetryPolicy of(int maxRetries, Duration initialDelay) {
    return new RetryPolicy(
        maxRetries, initialDelay, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY, DEFAULT_JITTER);
  }

  /**
   * The step after {@code attempt}, the {@code attemptInRound}-th of its round (a manual retry
   * starts a new round), ended at {@code now}.
   */
  public NextStep after(
      DeliveryAttempt attempt, int attemptInRound, Instant now, DoubleSupplier random) {
    if (attempt.succeeded()) {
      return new NextStep.Succeed();
    }
    if (attempt.responseStatusCode() == GONE) {
      return new NextStep.DisableWebhook("receiver answered 410 Gone");
    }
    if (attemptInRound > maxRetries) {
      return new NextStep.Fail();
    }
    Duration delay = delayAfter(attemptInRound, random);
    if (attempt.retryAfter() != null
        && RETRY_AFTER_STATUSES.contains(attempt.responseStatusCode())) {
      delay = clamp(attempt.retryAfter(), delay, maxDelay.compareTo(delay) < 0 ? delay : maxDelay);
    }
    return new NextStep.RetryAt(now.plus(delay));
  }

  private static Duration clamp(Duration value, Duration min, Duration max) {
    return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
  }

  Duration delayAfter(int failedAttempt, DoubleSupplier random) {
    double base = (double) initialDelay.toMillis() * Math.pow(multiplier, failedAttempt - 1.0);
    double capped = Math.min(base, (double) maxDelay.toMillis());
    double withJitter = capped * (1 + jitter * random.getAsDouble());
    return Duration.ofMillis(Math.round(withJitter));
  }
}
