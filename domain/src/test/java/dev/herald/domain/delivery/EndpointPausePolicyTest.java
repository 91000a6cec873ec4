package dev.herald.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EndpointPausePolicyTest {
  private static final Instant SINCE = Instant.parse("2026-11-30T10:00:00Z");
  private final EndpointPausePolicy policy =
      EndpointPausePolicy.of(10, Duration.ofMinutes(1), Duration.ofDays(3));

  @Test
  void pausesOnTheFailureThatReachesTheCount() {
    assertFalse(policy.pauses(9));
    assertTrue(policy.pauses(10));
    assertTrue(policy.pauses(11));
  }

  @Test
  void zeroNeverPauses() {
    assertFalse(EndpointPausePolicy.never().pauses(1_000_000));
  }

  @Test
  void probesSoonAfterABlipAndSeldomAfterALongOutage() {
    assertEquals(
        SINCE.plusSeconds(1), policy.nextProbe(SINCE, SINCE), "the first probe after a second");
    Instant twoMinutesOn = SINCE.plusSeconds(120);
    assertEquals(
        twoMinutesOn.plusSeconds(30),
        policy.nextProbe(SINCE, twoMinutesOn),
        "a quarter of the time unreachable");
    Instant anHourOn = SINCE.plusSeconds(3600);
    assertEquals(anHourOn.plusSeconds(60), policy.nextProbe(SINCE, anHourOn), "at most a minute");
  }

  @Test
  void givesUpOnAnEndpointDownForTheWholeSpan() {
    assertFalse(policy.givesUp(SINCE, SINCE.plus(Duration.ofDays(3)).minusSeconds(1)));
    assertTrue(policy.givesUp(SINCE, SINCE.plus(Duration.ofDays(3))));
  }

  @Test
  void refusesAMaximumBelowTheFirstProbe() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EndpointPausePolicy(
                10, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofDays(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> EndpointPausePolicy.of(-1, Duration.ofMinutes(1), Duration.ofDays(1)));
  }
}
