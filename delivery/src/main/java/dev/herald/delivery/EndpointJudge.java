package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.RecordedOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a recorded outcome says about its endpoint: whether its webhook is to be disabled ({@link
 * EndpointHealth}), and whether the endpoint is to be paused or is back ({@link EndpointPauses}).
 * Each verdict follows the record; one lost to a database fault is made by the endpoint's next
 * outcome.
 */
final class EndpointJudge {
  private static final Logger log = LoggerFactory.getLogger(EndpointJudge.class);

  private final EndpointHealth health;
  private final EndpointPauses pauses;
  private final DeliveryMetrics metrics;

  EndpointJudge(EndpointHealth health, EndpointPauses pauses, DeliveryMetrics metrics) {
    this.health = requireNonNull(health, "health");
    this.pauses = requireNonNull(pauses, "pauses");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /**
   * Judges an outcome whose record held.
   *
   * @return whether deliveries were let go, which a claim should take
   */
  boolean afterRecord(AttemptOutcome outcome, RecordedOutcome found) {
    judgeHealth(outcome, found);
    try {
      return pauses.afterRecord(outcome);
    } catch (RuntimeException e) {
      log.warn(
          "Could not judge whether webhook {} answers: {}",
          outcome.claim().webhookId(),
          e.getMessage());
      return false;
    }
  }

  private void judgeHealth(AttemptOutcome outcome, RecordedOutcome found) {
    try {
      health
          .afterRecord(outcome, found)
          .ifPresent(
              cause -> {
                metrics.webhookDisabled(cause);
                RecordLog.webhookDisabled(outcome, cause);
              });
    } catch (RuntimeException e) {
      log.warn(
          "Could not judge the health of webhook {}: {}",
          outcome.claim().webhookId(),
          e.getMessage());
    }
  }
}
