package dev.herald.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final RetryPolicy policy = RetryPolicy.of(3, Duration.ofSeconds(10));

  @Test
  void doublesTheDelayAfterEachFailure() {
    assertEquals(Duration.ofSeconds(10), policy.delayAfter(1, () -> 0));
    assertEquals(Duration.ofSeconds(20), policy.delayAfter(2, () -> 0));
    assertEquals(Duration.ofSeconds(40), policy.delayAfter(3, () -> 0));
  }

  @Test
  void addsUpToAQuarterAsJitter() {
    assertEquals(Duration.ofMillis(12_500), policy.delayAfter(1, () -> 1));
    assertEquals(Duration.ofSeconds(25), policy.delayAfter(2, () -> 1));
  }

  @Test
  void capsTheDelay() {
    RetryPolicy capped = new RetryPolicy(20, Duration.ofMinutes(10), 2, Duration.ofMinutes(30), 0);
    assertEquals(Duration.ofMinutes(30), capped.delayAfter(10, () -> 0.5));
  }

  @Test
  void givesUpAfterMaxRetries() {
    assertEquals(
        new NextStep.RetryAt(NOW.plusSeconds(40)),
        policy.after(attempt(3, 500, null), 3, NOW, () -> 0));
    assertInstanceOf(NextStep.Fail.class, policy.after(attempt(4, 500, null), 4, NOW, () -> 0));
    assertInstanceOf(NextStep.Succeed.class, policy.after(attempt(4, 200, null), 4, NOW, () -> 0));
  }

  @Test
  void countsRetriesWithinTheRound() {
    assertEquals(
        new NextStep.RetryAt(NOW.plusSeconds(10)),
        policy.after(attempt(7, 500, null), 1, NOW, () -> 0));
  }

  @Test
  void honoursRetryAfterOn429And503WithinTheScheduledAndMaximumDelay() {
    assertEquals(
        new NextStep.RetryAt(NOW.plusSeconds(120)),
        policy.after(attempt(1, 429, Duration.ofMinutes(2)), 1, NOW, () -> 0));
    assertEquals(
        new NextStep.RetryAt(NOW.plusSeconds(10)),
        policy.after(attempt(1, 503, Duration.ofSeconds(1)), 1, NOW, () -> 0),
        "never sooner than the backoff");
    assertEquals(
        new NextStep.RetryAt(NOW.plus(RetryPolicy.DEFAULT_MAX_DELAY)),
        policy.after(attempt(1, 503, Duration.ofDays(3)), 1, NOW, () -> 0),
        "never later than the maximum delay");
    assertEquals(
        new NextStep.RetryAt(NOW.plusSeconds(10)),
        policy.after(attempt(1, 500, Duration.ofMinutes(2)), 1, NOW, () -> 0),
        "only on 429 and 503");
  }

  @Test
  void aGoneReceiverDisablesTheWebhook() {
    assertInstanceOf(
        NextStep.DisableWebhook.class, policy.after(attempt(1, 410, null), 1, NOW, () -> 0));
  }

  private static DeliveryAttempt attempt(int number, int status, Duration retryAfter) {
    return new DeliveryAttempt(
        number, "https://x", NOW, Duration.ZERO, status, "", "", status < 300, retryAfter);
  }
}
