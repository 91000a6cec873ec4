package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the log says of a failed attempt's next step, as the database recorded it. */
class RecordLogTest {
  private static final Instant RETRY = Instant.parse("2026-12-02T04:00:00Z");

  private final Logger logger = (Logger) LoggerFactory.getLogger(RecordLog.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void listen() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(lines);
    logger.setLevel(null);
  }

  @Test
  void aRetryRecordedAsAskedNamesItsTime() {
    RecordLog.written(failure(), RecordedOutcome.HELD);

    assertEquals(
        List.of("attempt 1 failed (HTTP 503); retrying at " + RETRY), messagesAfterTheId());
  }

  @Test
  void aRetryParkedBehindItsEndpointsPauseSaysSoNotWhenItWasAskedFor() {
    logger.setLevel(Level.DEBUG);

    RecordLog.written(failure(), RecordedOutcome.PARKED);

    assertEquals(
        List.of("attempt 1 failed (HTTP 503); waiting until its paused endpoint is probed"),
        messagesAfterTheId());
  }

  @Test
  void aRetryParkedBehindItsEndpointsPauseIsNoLineAtInfo() {
    RecordLog.written(failure(), RecordedOutcome.PARKED);
    RecordLog.written(failure(), RecordedOutcome.HELD);

    assertEquals(
        List.of("attempt 1 failed (HTTP 503); retrying at " + RETRY), messagesAfterTheId());
  }

  private static AttemptOutcome failure() {
    ClaimedDelivery claim = TestClaims.claim(UUID.randomUUID(), "proj", "http://localhost/down");
    DeliveryAttempt attempt =
        new DeliveryAttempt(
            1, claim.url(), Instant.now(), Duration.ofMillis(1), 503, "", "", false, null);
    return new AttemptOutcome(claim, attempt, new NextStep.RetryAt(RETRY));
  }

  /** Each line's text after "Delivery {id} ". */
  private List<String> messagesAfterTheId() {
    return lines.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .map(line -> line.substring(line.indexOf(' ', "Delivery ".length()) + 1))
        .toList();
  }
}
