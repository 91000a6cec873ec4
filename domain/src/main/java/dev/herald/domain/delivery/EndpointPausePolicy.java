package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * When to stop sending to an endpoint that fails every attempt, and how often to try it again.
 * After {@code afterFailedAttempts} attempts in a row fail (0: never), the endpoint is paused: its
 * deliveries wait without spending their attempts, and one at a time goes as a probe. Probes are
 * spaced by a quarter of the time the endpoint has been unreachable, within [{@code firstProbe},
 * {@code maxProbeInterval}]: an endpoint back after a blip is found within a second or two, one
 * down for hours is asked once every {@code maxProbeInterval}. The first success lets every waiting
 * delivery go. An endpoint unreachable for {@code disableAfter} is given up: its webhook is
 * disabled and its deliveries end, so that a dead endpoint's backlog does not grow for ever.
 */
public record EndpointPausePolicy(
    int afterFailedAttempts,
    Duration firstProbe,
    Duration maxProbeInterval,
    Duration disableAfter) {

  public static final int DEFAULT_AFTER_FAILED_ATTEMPTS = 10;
  public static final Duration DEFAULT_FIRST_PROBE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_PROBE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_DISABLE_AFTER = Duration.ofDays(3);

  public EndpointPausePolicy {
    requireNonNull(firstProbe, "firstProbe");
    requireNonNull(maxProbeInterval, "maxProbeInterval");
    requireNonNull(disableAfter, "disableAfter");
    if (afterFailedAttempts < 0) {
      throw new IllegalArgumentException("afterFailedAttempts must not be negative");
    }
    if (firstProbe.isNegative() || firstProbe.isZero()) {
      throw new IllegalArgumentException("firstProbe must be positive");
    }
    if (maxProbeInterval.compareTo(firstProbe) < 0) {
      throw new IllegalArgumentException("maxProbeInterval must be at least firstProbe");
    }
  }

  public static EndpointPausePolicy of(
      int afterFailedAttempts, Duration maxProbeInterval, Duration disableAfter) {
    return new EndpointPausePolicy(
        afterFailedAttempts, DEFAULT_FIRST_PROBE, maxProbeInterval, disableAfter);
  }

  public static EndpointPausePolicy never() {
    return of(0, DEFAULT_MAX_PROBE_INTERVAL, DEFAULT_DISABLE_AFTER);
  }

  /** Whether an endpoint unreachable since {@code since} is given up at {@code now}. */
  public boolean givesUp(Instant since, Instant now) {
    return Duration.between(since, now).compareTo(disableAfter) >= 0;
  }

  /** Whether {@code failedInARow} attempts in a row pause the endpoint. */
  public boolean pauses(int failedInARow) {
    return afterFailedAttempts > 0 && failedInARow >= afterFailedAttempts;
  }

  /** When to probe an endpoint unreachable since {@code since}, after a failure at {@code now}. */
  public Instant nextProbe(Instant since, Instant now) {
    Duration quarter = Duration.between(since, now).dividedBy(4);
    Duration wait =
        quarter.compareTo(firstProbe) < 0
            ? firstProbe
            : quarter.compareTo(maxProbeInterval) > 0 ? maxProbeInterval : quarter;
    return now.plus(wait);
  }
}
