package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter. After failed attempt {@code n} (1-based), while {@code n <=
 * maxRetries}, the next attempt waits {@code initialDelay * multiplier^(n-1)}, capped at {@code
 * maxDelay}, plus up to {@code jitter} of that again, so that retries of many deliveries that
 * failed together spread out instead of arriving together.
 */
public record RetryPolicy(
    int maxRetries, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

  public static final int DEFAULT_MAX_RETRIES = 3;
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

  public static RetryPolicy of(int maxRetries, Duration initialDelay) {
    return new RetryPolicy(maxRetries, initialDelay, 2.0, Duration.ofHours(1), 0.25);
  }

  /** The step after {@code attempt} ended at {@code now}. */
  public NextStep after(DeliveryAttempt attempt, Instant now, DoubleSupplier random) {
    if (attempt.succeeded()) {
      return new NextStep.Succeed();
    }
    if (attempt.attemptNumber() > maxRetries) {
      return new NextStep.Fail();
    }
    return new NextStep.RetryAt(now.plus(delayAfter(attempt.attemptNumber(), random)));
  }

  Duration delayAfter(int failedAttempt, DoubleSupplier random) {
    double base = initialDelay.toMillis() * Math.pow(multiplier, failedAttempt - 1.0);
    double capped = Math.min(base, maxDelay.toMillis());
    double withJitter = capped * (1 + jitter * random.getAsDouble());
    return Duration.ofMillis(Math.round(withJitter));
  }
}
