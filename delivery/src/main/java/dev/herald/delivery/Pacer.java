package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.SendSlots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps claims of rate-limited webhooks to their limits: each takes a send slot shared by every
 * server ({@link SendSlots}) and enters the waiting room only at its slot, taking no slot of the
 * dispatcher while it waits, so other webhooks are not slowed. A claim holds at most {@link
 * #HORIZON} of a webhook's slots; its claims beyond that go back to the queue due when the slots
 * taken run out, and the claim loop passes the webhook over while any of its claims wait here.
 */
final class Pacer {
  private static final Logger log = LoggerFactory.getLogger(Pacer.class);

  /** How far ahead one claim takes a webhook's slots. */
  static final Duration HORIZON = Duration.ofSeconds(1);

  /** How long claims whose slots could not be taken wait before they are due again. */
  private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

  private final SendSlots slots;
  private final Consumer<ClaimedDelivery> enter;
  private final BiConsumer<ClaimedDelivery, Instant> giveBack;
  private final Clock clock;
  private final Map<UUID, Integer> waiting = new ConcurrentHashMap<>();
  private final RepeatedFailure failures = new RepeatedFailure(Duration.ofSeconds(30));
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "herald-pacer");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param enter puts a claim whose slot has come into the waiting room
   * @param giveBack gives a claim back to the queue, due at the time given
   */
  Pacer(
      SendSlots slots,
      Consumer<ClaimedDelivery> enter,
      BiConsumer<ClaimedDelivery, Instant> giveBack,
      Clock clock) {
    this.slots = requireNonNull(slots, "slots");
    this.enter = requireNonNull(enter, "enter");
    this.giveBack = requireNonNull(giveBack, "giveBack");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Returns the claims free to go now; takes the rate-limited ones in hand. */
  List<ClaimedDelivery> pace(List<ClaimedDelivery> claimed) {
    List<ClaimedDelivery> free = new ArrayList<>(claimed.size());
    Map<UUID, List<ClaimedDelivery>> limited = new LinkedHashMap<>();
    for (ClaimedDelivery claim : claimed) {
      if (claim.maxRequestsPerSecond().isPresent()) {
        limited.computeIfAbsent(claim.webhookId(), w -> new ArrayList<>()).add(claim);
      } else {
        free.add(claim);
      }
    }
    limited.values().forEach(this::takeSlots);
    return free;
  }

  /** Webhooks with claims waiting for their slots: the claim loop passes them over. */
  Set<UUID> webhooksWaiting() {
    return Set.copyOf(waiting.keySet());
  }

  void stop() {
    timer.shutdownNow();
    waiting.clear();
  }

  /** One webhook's claims, in the order claimed. */
  private void takeSlots(List<ClaimedDelivery> claims) {
    int perSecond = claims.get(0).maxRequestsPerSecond().getAsInt();
    Duration spacing = SendSlots.spacing(perSecond);
    int taking = (int) Math.min(claims.size(), Math.max(1, HORIZON.dividedBy(spacing)));
    Instant now = clock.instant();
    Duration untilFirst;
    try {
      untilFirst = slots.take(claims.get(0).webhookId(), spacing, taking);
      failures.succeeded();
    } catch (RuntimeException e) {
      if (failures.failed()) {
        log.warn(
            "Could not take send slots for webhook {}; its deliveries are due again in {}: {}",
            claims.get(0).webhookId(),
            AFTER_FAILURE,
            e.getMessage());
      }
      claims.forEach(claim -> giveBack.accept(claim, now.plus(AFTER_FAILURE)));
      return;
    }
    waiting.merge(claims.get(0).webhookId(), taking, Integer::sum);
    for (int i = 0; i < taking; i++) {
      ClaimedDelivery claim = claims.get(i);
      long delayNanos = untilFirst.plus(spacing.multipliedBy(i)).toNanos();
      timer.schedule(() -> enterAtSlot(claim), delayNanos, TimeUnit.NANOSECONDS);
    }
    Instant slotsRunOut = now.plus(untilFirst).plus(spacing.multipliedBy(taking));
    claims.subList(taking, claims.size()).forEach(claim -> giveBack.accept(claim, slotsRunOut));
  }

  private void enterAtSlot(ClaimedDelivery claim) {
    waiting.computeIfPresent(claim.webhookId(), (webhook, count) -> count == 1 ? null : count - 1);
    enter.accept(claim);
  }
}
