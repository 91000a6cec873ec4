package dev.herald.delivery;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.NextStep;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What the dispatcher reports: attempts by outcome and how long they took, how long deliveries
 * waited for their first attempt, how they ended. Labels are a few fixed words, never an id: a
 * deployment with 100,000 webhooks has the same series as one with ten.
 */
final class DeliveryMetrics {
  private final Counter attempts;
  private final Histogram attemptDuration;
  private final Histogram lag;
  private final Counter ended;
  private final Counter webhooksDisabled;
  private final Counter endpointPauses;
  private final PrometheusRegistry registry;

  DeliveryMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    attempts =
        Counter.builder()
            .name("herald_delivery_attempts_total")
            .help("Delivery attempts made, by outcome")
            .labelNames("outcome")
            .register(registry);
    attemptDuration =
        Histogram.builder()
            .name("herald_delivery_attempt_duration_seconds")
            .help("How long one attempt took, from the DNS lookup to the last byte read")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    lag =
        Histogram.builder()
            .name("herald_delivery_lag_seconds")
            .help("From the ingest acknowledgement to the start of the delivery's first attempt")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    ended =
        Counter.builder()
            .name("herald_deliveries_ended_total")
            .help("Deliveries that reached a final status, by that status")
            .labelNames("status")
            .register(registry);
    webhooksDisabled =
        Counter.builder()
            .name("herald_webhooks_disabled_total")
            .help(
                "Webhooks Herald disabled itself, by reason: gone (the receiver answered 410) or"
                    + " failures")
            .labelNames("reason")
            .register(registry);
    endpointPauses =
        Counter.builder()
            .name("herald_endpoint_pauses_total")
            .help(
                "Endpoints paused after failing every attempt (paused), and found answering again"
                    + " by a probe (resumed)")
            .labelNames("transition")
            .register(registry);
  }

  /** Gauges read when scraped: slots taken and outcomes waiting to be recorded. */
  void watch(IntSupplier slotsInUse, IntSupplier recorderBacklog) {
    GaugeWithCallback.builder()
        .name("herald_dispatcher_slots_in_use")
        .help("Delivery attempts in flight in this process")
        .callback(callback -> callback.call(slotsInUse.getAsInt()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("herald_recorder_backlog")
        .help("Attempt outcomes waiting to be recorded in the database")
        .callback(callback -> callback.call(recorderBacklog.getAsInt()))
        .register(registry);
  }

  void attempted(ClaimedDelivery claim, DeliveryAttempt attempt) {
    attempts.labelValues(AttemptOutcomes.label(attempt)).inc();
    attemptDuration.observe(seconds(attempt.duration()));
    if (claim.attemptsMade() == 0) {
      lag.observe(Math.max(0, seconds(Duration.between(claim.createTime(), attempt.startTime()))));
    }
  }

  /** An outcome whose record was written while its claim still held the delivery. */
  void recorded(AttemptOutcome outcome) {
    NextStep next = outcome.next();
    if (next instanceof NextStep.Succeed) {
      ended.labelValues("succeeded").inc();
    } else if (next instanceof NextStep.Fail || next instanceof NextStep.DisableWebhook) {
      ended.labelValues("failed").inc();
    }
  }

  void webhookDisabled(EndpointHealth.Cause cause) {
    webhooksDisabled.labelValues(RecordLog.label(cause)).inc();
  }

  void endpointPaused() {
    endpointPauses.labelValues("paused").inc();
  }

  void endpointResumed() {
    endpointPauses.labelValues("resumed").inc();
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
