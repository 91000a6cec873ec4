package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.persistence.DatabaseProbe;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the database every {@link #INTERVAL} whether it answers and tells whoever serves health when
 * that changes: gRPC health and {@code /readyz} say NOT_SERVING while it does not, and SERVING
 * again once it does, without a restart. The log says so once per change, not per call.
 */
final class DatabaseHealth implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

  private final DatabaseProbe probe;
  private final Consumer<Boolean> onChange;
  private final ScheduledExecutorService schedule =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "herald-health");
            thread.setDaemon(true);
            return thread;
          });
  private volatile boolean reachable = true;
  private ScheduledFuture<?> probes;

  DatabaseHealth(DatabaseProbe probe, PrometheusRegistry registry, Consumer<Boolean> onChange) {
    this.probe = requireNonNull(probe, "probe");
    this.onChange = requireNonNull(onChange, "onChange");
    GaugeWithCallback.builder()
        .name("herald_database_up")
        .help("Whether the last probe of the database, every 2 s, was answered (1) or not (0)")
        .callback(callback -> callback.call(reachable ? 1 : 0))
        .register(registry);
  }

  void start() {
    probes =
        schedule.scheduleWithFixedDelay(
            this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean reachable() {
    return reachable;
  }

  private void check() {
    boolean now;
    try {
      now = probe.reachable();
    } catch (RuntimeException e) {
      now = false;
    }
    if (now != reachable) {
      reachable = now;
      if (now) {
        log.info("The database answers again; health is SERVING");
      } else {
        log.warn("The database does not answer; health is NOT_SERVING until it does");
      }
      onChange.accept(now);
    }
  }

  @Override
  public void close() {
    if (probes != null) {
      probes.cancel(false);
    }
    schedule.shutdownNow();
  }
}
