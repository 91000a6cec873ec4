package dev.herald.delivery;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The log line each recorded attempt is worth: failures and their next step, leases that ran out,
 * webhooks disabled. The ids are fields of their own; what the receiver wrote is quoted.
 */
final class RecordLog {
  private static final Logger log = LoggerFactory.getLogger(RecordLog.class);

  private RecordLog() {}

  static void written(AttemptOutcome outcome, RecordedOutcome found) {
    ClaimedDelivery claim = outcome.claim();
    DeliveryAttempt attempt = outcome.attempt();
    if (!found.held()) {
      about(log.atWarn(), claim)
          .log(
              "Lease on delivery {} ran out during attempt {}",
              claim.id(),
              attempt.attemptNumber());
    }
    if (attempt.succeeded()) {
      about(log.atDebug(), claim)
          .log("Delivery {} succeeded on attempt {}", claim.id(), attempt.attemptNumber());
    } else if (found.parked()) {
      // Debug: the pause has a line of its own, and the attempts that were under way when it
      // began then fail together, a line each (788 for one endpoint in the benchmark's outage).
      about(log.atDebug(), claim)
          .log(
              "Delivery {} attempt {} failed ({}); waiting until its paused endpoint is probed",
              claim.id(),
              attempt.attemptNumber(),
              reason(attempt));
    } else if (outcome.next() instanceof NextStep.RetryAt retry) {
      about(log.atInfo(), claim)
          .log(
              "Delivery {} attempt {} failed ({}); retrying at {}",
              claim.id(),
              attempt.attemptNumber(),
              reason(attempt),
              retry.time());
    } else if (outcome.next() instanceof NextStep.DisableWebhook gone) {
      about(log.atWarn(), claim).log("Delivery {} failed: {}", claim.id(), gone.reason());
    } else {
      about(log.atWarn(), claim)
          .log(
              "Delivery {} failed after {} attempts ({})",
              claim.id(),
              attempt.attemptNumber(),
              reason(attempt));
    }
  }

  static void webhookDisabled(AttemptOutcome outcome, EndpointHealth.Cause cause) {
    ClaimedDelivery claim = outcome.claim();
    about(log.atWarn(), claim)
        .log(
            "Webhook {} disabled ({}); its pending deliveries end",
            claim.webhookId(),
            label(cause));
  }

  /** How metrics and logs name a cause. */
  static String label(EndpointHealth.Cause cause) {
    return cause.name().toLowerCase(Locale.ROOT);
  }

  /** The ids a line is about, as fields of their own in JSON logs. */
  private static LoggingEventBuilder about(LoggingEventBuilder line, ClaimedDelivery claim) {
    return line.addKeyValue("delivery_id", claim.id())
        .addKeyValue("webhook_id", claim.webhookId())
        .addKeyValue("project_id", claim.projectId());
  }

  /** Quoted: the error may hold text the receiver wrote, made printable by the attempt. */
  private static String reason(DeliveryAttempt attempt) {
    return attempt.error().isEmpty()
        ? "HTTP " + attempt.responseStatusCode()
        : "\"" + attempt.error() + "\"";
  }
}
