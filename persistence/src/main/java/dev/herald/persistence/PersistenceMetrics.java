package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the database side reports: the queue (read every {@link #QUEUE_READ_EVERY} in the
 * background, so a scrape never waits on the database), the connection pools, and webhooks Herald
 * disabled, counted where it disables them.
 */
public final class PersistenceMetrics implements AutoCloseable {
  static final Duration QUEUE_READ_EVERY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(PersistenceMetrics.class);

  private final QueueStatistics statistics;
  private final Clock clock;
  private final ScheduledExecutorService reader =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "herald-queue-statistics");
            thread.setDaemon(true);
            return thread;
          });
  private volatile QueueStatistics.Snapshot queue = QueueStatistics.Snapshot.NONE;

  PersistenceMetrics(
      PrometheusRegistry registry,
      QueueStatistics statistics,
      Map<String, HikariDataSource> pools,
      OutcomeNotifications outcomes,
      Clock clock) {
    this.statistics = requireNonNull(statistics, "statistics");
    this.clock = requireNonNull(clock, "clock");
    queueGauge(
        registry,
        "herald_queue_due_deliveries",
        "Deliveries due now and not leased (counted to 100,000)",
        snapshot -> snapshot.due());
    queueGauge(
        registry,
        "herald_queue_leased_deliveries",
        "Deliveries leased to a dispatcher now (counted to 100,000)",
        snapshot -> snapshot.leased());
    queueGauge(
        registry,
        "herald_queue_scheduled_deliveries",
        "Deliveries waiting for a later retry time (counted to 100,000)",
        snapshot -> snapshot.scheduled());
    queueGauge(
        registry,
        "herald_queue_parked_deliveries",
        "Deliveries parked behind a paused endpoint or an earlier delivery of their ordered line"
            + " (counted to 100,000)",
        snapshot -> snapshot.parked());
    GaugeWithCallback.builder()
        .name("herald_queue_oldest_due_age_seconds")
        .help("How long the oldest due, unleased delivery has been due; 0 when none is")
        .callback(callback -> callback.call(oldestDueAge(clock.instant())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("herald_watch_streams")
        .help("WatchDeliveries streams open on this server")
        .callback(callback -> callback.call(outcomes.watches()))
        .register(registry);
    poolGauge(
        registry,
        pools,
        "herald_database_pool_connections_in_use",
        "Connections lent out, by pool",
        HikariPoolMXBean::getActiveConnections);
    poolGauge(
        registry,
        pools,
        "herald_database_pool_threads_waiting",
        "Threads waiting for a connection, by pool",
        HikariPoolMXBean::getThreadsAwaitingConnection);
  }

  /** Starts reading the queue in the background. */
  public void start() {
    long every = QUEUE_READ_EVERY.toMillis();
    reader.scheduleWithFixedDelay(this::readQueue, 0, every, TimeUnit.MILLISECONDS);
  }

  private void readQueue() {
    try {
      queue = statistics.read(clock.instant());
    } catch (RuntimeException e) {
      log.debug("Could not read the queue's statistics", e);
    }
  }

  double oldestDueAge(Instant now) {
    return queue
        .oldestDue()
        .map(due -> Math.max(0, Duration.between(due, now).toMillis() / 1000.0))
        .orElse(0.0);
  }

  private void queueGauge(
      PrometheusRegistry registry,
      String name,
      String help,
      java.util.function.ToLongFunction<QueueStatistics.Snapshot> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.applyAsLong(queue)))
        .register(registry);
  }

  private static void poolGauge(
      PrometheusRegistry registry,
      Map<String, HikariDataSource> pools,
      String name,
      String help,
      ToIntFunction<HikariPoolMXBean> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("pool")
        .callback(
            callback ->
                pools.forEach(
                    (pool, dataSource) -> {
                      HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
                      callback.call(bean == null ? 0 : value.applyAsInt(bean), pool);
                    }))
        .register(registry);
  }

  @Override
  public void close() {
    reader.shutdownNow();
  }
}
