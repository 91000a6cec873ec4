package dev.herald.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final List<String> disablings = new ArrayList<>();
  private boolean active = true;
  private final EndpointHealth health =
      new EndpointHealth(
          new EndpointHealthPolicy(3),
          (id, reason, endPendingReason, at) -> {
            disablings.add(reason + " / " + endPendingReason);
            boolean wasActive = active;
            active = false;
            return wasActive;
          });

  @Test
  void aWebhookIsDisabledWhenItsFailuresInARowReachThePolicy() {
    assertEquals(Optional.empty(), health.afterRecord(failed(), new RecordedOutcome(true, 2)));
    assertEquals(
        Optional.of(EndpointHealth.Cause.FAILURES),
        health.afterRecord(failed(), new RecordedOutcome(true, 3)));
    assertEquals(
        List.of("3 deliveries in a row failed / webhook disabled (3 deliveries in a row failed)"),
        disablings);
  }

  @Test
  void aReceiverThatAnsweredGoneDisablesItsWebhookWhateverTheCount() {
    AttemptOutcome gone = outcome(410, new NextStep.DisableWebhook("the receiver answered 410"));
    assertEquals(
        Optional.of(EndpointHealth.Cause.GONE),
        health.afterRecord(gone, new RecordedOutcome(true, 1)));
  }

  @Test
  void aWebhookDisabledAlreadyIsNotReportedAgain() {
    health.afterRecord(failed(), new RecordedOutcome(true, 3));
    assertEquals(Optional.empty(), health.afterRecord(failed(), new RecordedOutcome(true, 4)));
  }

  @Test
  void outcomesWhoseClaimLostTheDeliveryAndRetriesDecideNothing() {
    assertEquals(Optional.empty(), health.afterRecord(failed(), RecordedOutcome.LOST));
    AttemptOutcome retry = outcome(503, new NextStep.RetryAt(NOW.plusSeconds(5)));
    assertEquals(Optional.empty(), health.afterRecord(retry, new RecordedOutcome(true, 9)));
    assertTrue(disablings.isEmpty());
  }

  private static AttemptOutcome failed() {
    return outcome(500, new NextStep.Fail());
  }

  private static AttemptOutcome outcome(int status, NextStep next) {
    ClaimedDelivery claim =
        new ClaimedDelivery(
            UUID.randomUUID(),
            UUID.randomUUID(),
            UUID.randomUUID(),
            UUID.randomUUID(),
            "proj",
            "bot",
            "https://example.com/h",
            "{}",
            0,
            0,
            dev.herald.testing.TestSigning.hmacOnly("proj"),
            NOW,
            false,
            java.util.OptionalInt.empty(),
            false);
    DeliveryAttempt attempt =
        new DeliveryAttempt(1, claim.url(), NOW, Duration.ofMillis(5), status, "", "", false, null);
    return new AttemptOutcome(claim, attempt, next);
  }
}
