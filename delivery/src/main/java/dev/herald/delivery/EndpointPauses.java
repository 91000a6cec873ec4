package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.NextStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses an endpoint that fails every attempt ({@link EndpointPausePolicy}) and lets its deliveries
 * go again once a probe gets through. This server counts the failures in a row it sees; the pause
 * itself is in the database, shared by every server: its deliveries wait parked, one goes as a
 * probe when its time comes (any server lets it go, once a second), and the probe's success lets
 * the backlog go: every server's claims take it from where it waits, oldest first.
 */
final class EndpointPauses {
  private static final Logger log = LoggerFactory.getLogger(EndpointPauses.class);

  /** How often this server lets the probes go whose time has come. */
  static final Duration PROBE_TICK = Duration.ofSeconds(1);

  private final EndpointPausePolicy policy;
  private final EndpointHealth health;
  private final DeliveryQueue queue;
  private final DeliveryMetrics metrics;
  private final Clock clock;

  /** A probe's time, during which no other probe of its endpoint goes: its attempt and lease. */
  private final Duration probeLease;

  private final Map<UUID, Integer> failedInARow = new ConcurrentHashMap<>();

  /** Endpoints this server paused: claims made before the pause are given back, not attempted. */
  private final Set<UUID> pausedHere = ConcurrentHashMap.newKeySet();

  private final RepeatedFailure probeFailures = new RepeatedFailure(Duration.ofSeconds(30));
  private volatile Runnable letGo = () -> {};
  private volatile Function<UUID, List<ClaimedDelivery>> withdrawWaiting = webhook -> List.of();
  private ScheduledExecutorService probes;

  EndpointPauses(
      EndpointPausePolicy policy,
      EndpointHealth health,
      DeliveryQueue queue,
      DeliveryMetrics metrics,
      Clock clock,
      Duration probeLease) {
    this.policy = requireNonNull(policy, "policy");
    this.health = requireNonNull(health, "health");
    this.queue = requireNonNull(queue, "queue");
    this.metrics = requireNonNull(metrics, "metrics");
    this.clock = requireNonNull(clock, "clock");
    this.probeLease = requireNonNull(probeLease, "probeLease");
  }

  /**
   * Lets due probes go every {@link #PROBE_TICK}; {@code letGo} is told whenever deliveries went.
   * {@code withdrawWaiting} takes the claims of a webhook that wait for a slot here (not its
   * probes) out of the waiting room, no longer held: a pause begun here gives them back at once.
   */
  void start(Runnable letGo, Function<UUID, List<ClaimedDelivery>> withdrawWaiting) {
    this.letGo = letGo;
    this.withdrawWaiting = withdrawWaiting;
    probes =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "herald-probes");
              thread.setDaemon(true);
              return thread;
            });
    long tick = PROBE_TICK.toMillis();
    probes.scheduleWithFixedDelay(this::releaseProbes, tick, tick, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (probes != null) {
      probes.shutdownNow();
    }
  }

  private void releaseProbes() {
    try {
      if (queue.releaseProbes(clock.instant(), probeLease) > 0) {
        letGo.run();
      }
      probeFailures.succeeded();
    } catch (RuntimeException e) {
      if (probeFailures.failed()) {
        log.warn("Could not let endpoint probes go; trying again: {}", e.getMessage());
      }
    }
  }

  /**
   * Whether the claim is to be given back unattempted: its endpoint was paused since it was made.
   */
  boolean holdsBack(ClaimedDelivery claim) {
    return !claim.probe() && pausedHere.contains(claim.webhookId());
  }

  /**
   * Gives back claims {@link #holdsBack} held back, in one statement: parked, or due now if their
   * endpoint is back.
   */
  void giveBack(List<ClaimedDelivery> claims) {
    queue.park(claims, clock.instant()).forEach(pausedHere::remove);
  }

  /**
   * Counts the recorded outcome for or against its endpoint: a success ends a pause, the failure of
   * a probe or one failure too many (re)starts one.
   *
   * @return whether deliveries were let go, which a claim should take
   */
  boolean afterRecord(AttemptOutcome outcome) {
    ClaimedDelivery claim = outcome.claim();
    UUID webhook = claim.webhookId();
    if (outcome.attempt().succeeded()) {
      failedInARow.remove(webhook);
      pausedHere.remove(webhook);
      return claim.probe() && resume(webhook);
    }
    if (outcome.next() instanceof NextStep.DisableWebhook) {
      return false;
    }
    int failed = failedInARow.merge(webhook, 1, Integer::sum);
    // Once paused here, the failures of attempts that went before the pause park themselves as
    // they are recorded; asking for the pause again for each, a transaction on the recorder's
    // thread, held every other endpoint's records behind them. A probe's failure does ask again:
    // it sets the next probe's time, and whether the endpoint is given up.
    if (claim.probe() || (policy.pauses(failed) && !pausedHere.contains(webhook))) {
      pause(webhook, failed);
    }
    return false;
  }

  private void pause(UUID webhook, int failed) {
    // As the database keeps it, so that a pause begun by this call is told by its time.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Optional<Instant> since = queue.pauseEndpoint(webhook, now, s -> policy.nextProbe(s, now));
    since.ifPresent(
        s -> {
          if (health.afterUnreachable(webhook, s, now, policy)) {
            pausedHere.remove(webhook);
            metrics.webhookDisabled(EndpointHealth.Cause.UNREACHABLE);
            log.atWarn()
                .addKeyValue("webhook_id", webhook)
                .log(
                    "Webhook {} disabled: unreachable since {}; its pending deliveries end",
                    webhook,
                    s);
            return;
          }
          if (pausedHere.add(webhook)) {
            giveBackWaiting(webhook);
          }
          if (s.equals(now)) {
            metrics.endpointPaused();
            log.atWarn()
                .addKeyValue("webhook_id", webhook)
                .log(
                    "Webhook {} paused: {} attempts in a row failed; its deliveries wait, and one"
                        + " goes as a probe from {}",
                    webhook,
                    failed,
                    policy.nextProbe(s, now));
          }
        });
  }

  /**
   * Gives back the claims of a webhook paused here that wait for a slot, together: one at a time,
   * as each came to its slot, they took a statement each while the attempts that went before the
   * pause were failing and being recorded.
   */
  private void giveBackWaiting(UUID webhook) {
    List<ClaimedDelivery> waiting = withdrawWaiting.apply(webhook);
    if (waiting.isEmpty()) {
      return;
    }
    try {
      giveBack(waiting);
    } catch (RuntimeException e) {
      log.warn(
          "Could not give back {} deliveries of paused webhook {}; they are due again when their"
              + " leases end: {}",
          waiting.size(),
          webhook,
          e.getMessage());
    }
  }

  private boolean resume(UUID webhook) {
    if (!queue.resumeEndpoint(webhook, clock.instant())) {
      return false;
    }
    metrics.endpointResumed();
    log.atInfo()
        .addKeyValue("webhook_id", webhook)
        .log("Webhook {} answers again; its waiting deliveries go, oldest first", webhook);
    return true;
  }
}
