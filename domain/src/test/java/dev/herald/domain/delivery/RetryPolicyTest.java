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
    assertEquals(Duration.ofMillis(25_000), policy.delayAfter(2, () -> 1));
  }

  @Test
  void capsTheDelay() {
    RetryPolicy capped = new RetryPolicy(20, Duration.ofMinutes(10), 2, Duration.ofMinutes(30), 0);
    assertEquals(Duration.ofMinutes(30), capped.delayAfter(10, () -> 0.5));
  }

  @Test
  void givesUpAfterMaxRetries() {
    assertEquals(new NextStep.RetryAt(NOW.plusSeconds(40)), policy.after(failed(3), NOW, () -> 0));
    assertInstanceOf(NextStep.Fail.class, policy.after(failed(4), NOW, () -> 0));
    assertInstanceOf(NextStep.Succeed.class, policy.after(succeeded(4), NOW, () -> 0));
  }

  private static DeliveryAttempt failed(int number) {
    return new DeliveryAttempt(number, "https://x", NOW, Duration.ZERO, 500, "", "", false);
  }

  private static DeliveryAttempt succeeded(int number) {
    return new DeliveryAttempt(number, "https://x", NOW, Duration.ZERO, 200, "", "", true);
  }
}
