package dev.herald.api;

import dev.herald.domain.event.IngestResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** Events taken in, by what became of them, and how long taking one in took. */
final class IngestMetrics {
  private final Counter events;
  private final Counter deliveries;
  private final Histogram duration;

  IngestMetrics(PrometheusRegistry registry) {
    events =
        Counter.builder()
            .name("herald_events_ingested_total")
            .help(
                "IngestStateChange calls by result: created, repeated (a known event_id) or"
                    + " rejected (invalid)")
            .labelNames("result")
            .register(registry);
    deliveries =
        Counter.builder()
            .name("herald_deliveries_created_total")
            .help("Deliveries created by ingested events, one per matching webhook")
            .register(registry);
    duration =
        Histogram.builder()
            .name("herald_ingest_duration_seconds")
            .help("How long an ingest took, its transaction's commit included")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
  }

  void ingested(IngestResult result, long startNanos) {
    duration.observe((System.nanoTime() - startNanos) / 1e9);
    if (result.repeated()) {
      events.labelValues("repeated").inc();
    } else {
      events.labelValues("created").inc();
      deliveries.inc(result.deliveryIds().size());
    }
  }

  void rejected() {
    events.labelValues("rejected").inc();
  }
}
