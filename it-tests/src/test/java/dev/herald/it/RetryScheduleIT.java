package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The default retry schedule, on a clock the test moves on rather than waits for: 30 s, 60 s and
 * 120 s after the failed attempts, each plus up to a quarter of itself, then FAILED.
 */
class RetryScheduleIT {
  private static final Duration FIRST_DELAY = Duration.ofSeconds(30);

  @Test
  void aFailingDeliveryIsRetriedOnTheDefaultScheduleThenFails() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_RETRY_INITIAL_DELAY_MS");
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      receiver.on("/down", i -> Receiver.Reply.status(500, "down"));
      herald.webhooks().createWebhook(Requests.webhook("proj-schedule", receiver.url("/down")));
      String id =
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-schedule", "bot").build())
              .getDeliveryIds(0);

      for (int attempt = 1; attempt <= 3; attempt++) {
        Delivery waiting = herald.awaitRetryScheduled(id, attempt);
        assertEquals(DeliveryStatus.DELIVERY_STATUS_PENDING, waiting.getStatus());
        Instant started = Requests.instant(waiting.getAttempts(attempt - 1).getStartTime());
        Duration gap = Duration.between(started, Requests.instant(waiting.getNextAttemptTime()));
        Duration delay = FIRST_DELAY.multipliedBy(1L << (attempt - 1));
        Duration latest = delay.plus(delay.dividedBy(4)).plusSeconds(1);
        assertTrue(
            gap.compareTo(delay) >= 0 && gap.compareTo(latest) <= 0,
            "retry "
                + attempt
                + " due "
                + gap
                + " after its attempt, not within "
                + delay
                + "+25%");
        assertEquals(attempt, receiver.requests("/down").size(), "nothing sent before it is due");
        herald.clock().advance(latest);
      }

      Delivery failed = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_FAILED);
      assertEquals(4, failed.getAttemptCount());
      assertFalse(failed.hasNextAttemptTime());
    }
  }
}
