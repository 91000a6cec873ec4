package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries in batches, ahead of free slots, into the {@link WaitingRoom} (those of
 * rate-limited webhooks by way of the {@link Pacer}), and sleeps until the earliest known due time
 * or the poll interval, unless woken: when deliveries are created (here or, through LISTEN/NOTIFY,
 * on another server) or a slot frees while claims wait for one. It owns what it knows of due times.
 *
 * <p>Past 250 lines as one class because the loop's four ways to wait (a wake, the known due time,
 * the poll, free slots) decide together when it claims next.
 */
final class ClaimLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

  /** Most deliveries one claim takes. */
  static final int MAX_BATCH = 128;

  private static final Duration MIN_WAIT = Duration.ofMillis(10);

  /** How soon new deliveries justify another look beside saturated webhooks. */
  private static final Duration RELOOK_BESIDE_BUSY = Duration.ofMillis(10);

  /**
   * How far before the last look beside saturated webhooks the next reads the due index: what was
   * due by then but not yet visible to it, as an ingest that commits a moment after it stamps its
   * deliveries' times, or one on a server whose clock is a little behind.
   */
  static final Duration RELOOK_OVERLAP = Duration.ofMillis(250);

  private final DeliveryQueue queue;
  private final WaitingRoom room;
  private final LeaseKeeper leases;
  private final WakeSignal wakes;
  private final KnownDueTime dueTimes;
  private final Pacer pacer;

  /** Starts whatever waiting claims may start; called after each claim. */
  private final Runnable dispatch;

  private final Duration pollInterval;
  private final Duration lease;
  private final Clock clock;
  private volatile boolean running = true;

  /** Set when deliveries are created, here or elsewhere; cleared by the claim that follows. */
  private volatile boolean newWork;

  /**
   * What an ended attempt must change for the loop to claim more, so that it wakes the loop only
   * then: room in the waiting room, and one of these webhooks no longer saturated (none: room
   * alone). Null when the last claim took everything due, as a slot set free then lets nothing more
   * be claimed (at 100 deliveries a second, that was most of the dispatcher's queries). While a
   * backlog drains beside the webhooks a claim passed over, a wake for every ended attempt was a
   * pass per delivery that found nothing to do.
   */
  private volatile Set<UUID> awaitsSlotsBeside = Set.of();

  /**
   * The saturated webhooks passed over by the last claim that found nothing more to take; loop
   * thread only, as are the times below. A claim beside them reads their due backlog in the index
   * and skips it: looking again, it reads only what became due since the last look ({@link
   * #RELOOK_OVERLAP} before it), and the whole due range once per poll interval.
   */
  private Set<UUID> exhaustedBeside = Set.of();

  /** When a claim beside {@link #exhaustedBeside} last took all it read. */
  private Instant exhaustedAt = Instant.MIN;

  /** When a claim beside {@link #exhaustedBeside} last took all that was due, however long ago. */
  private Instant fullyExhaustedAt = Instant.MIN;

  /** Whether the last claim took as many as it asked for, so that more may be due. */
  private boolean batchFilled;

  ClaimLoop(
      DeliveryQueue queue,
      WaitingRoom room,
      LeaseKeeper leases,
      WakeSignal wakes,
      KnownDueTime dueTimes,
      Pacer pacer,
      Runnable dispatch,
      DeliveryConfig config,
      Clock clock) {
    this.queue = requireNonNull(queue, "queue");
    this.room = requireNonNull(room, "room");
    this.leases = requireNonNull(leases, "leases");
    this.wakes = requireNonNull(wakes, "wakes");
    this.dueTimes = requireNonNull(dueTimes, "dueTimes");
    this.pacer = requireNonNull(pacer, "pacer");
    this.dispatch = requireNonNull(dispatch, "dispatch");
    this.pollInterval = config.pollInterval();
    this.lease = config.lease();
    this.clock = requireNonNull(clock, "clock");
  }

  /** Deliveries were created: the next pass claims, even beside saturated webhooks. */
  void newWork() {
    newWork = true;
    wakes.wake();
  }

  /** An attempt ended and its slots are free: wakes the loop if it may claim more now. */
  void attemptEnded() {
    Set<UUID> beside = awaitsSlotsBeside;
    if (beside != null && room.admitsMoreBeside(beside)) {
      wakes.wake();
    }
  }

  private final RepeatedFailure failures = new RepeatedFailure(Duration.ofSeconds(30));

  void stop() {
    running = false;
    wakes.close();
  }

  @Override
  public void run() {
    while (running) {
      try {
        pass();
        int failed = failures.succeeded();
        if (failed > 0) {
          log.info("Claiming deliveries works again, after {} failed tries", failed);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        reportFailure(e);
        pauseAfterFailure();
      } catch (Error e) {
        // Delivery must not stop silently while the server goes on answering: whatever broke
        // this pass, the next one starts afresh.
        log.error("The claim loop failed unexpectedly; going on in {}", pollInterval, e);
        pauseAfterFailure();
      }
    }
    room.clear();
  }

  /** The first failure of a run in full, then a line every half minute while they go on. */
  private void reportFailure(RuntimeException e) {
    if (!failures.failed()) {
      return;
    }
    if (failures.inARow() == 1) {
      log.warn("Claiming deliveries failed; trying again every {}", pollInterval, e);
    } else {
      log.warn(
          "Claiming deliveries has failed {} times in a row; still trying (last: {})",
          failures.inARow(),
          e.getMessage());
    }
  }

  /** One claim, or one wait when there is no room or nothing new. */
  void pass() throws InterruptedException {
    // Until this pass knows what it waits beside, any room may let it claim: an attempt that ends
    // meanwhile wakes the next wait rather than be missed.
    awaitsSlotsBeside = Set.of();
    dispatch.run();
    int free = room.room();
    if (free < WaitingRoom.MIN_CLAIM) {
      // Enough claimed work is waiting for slots: claim more once some of it has gone out.
      wakes.await(pollInterval);
      return;
    }
    int wanted = claimSize(free);
    Set<UUID> busy = busyWebhooks();
    Instant now = clock.instant();
    Instant dueSince = DeliveryQueue.ALL_DUE;
    if (lookedBeside(busy, now)) {
      Instant relook = exhaustedAt.plus(RELOOK_BESIDE_BUSY);
      boolean mayFindMore = newWork || batchFilled;
      if (!mayFindMore || now.isBefore(relook)) {
        awaitsSlotsBeside = busy;
        wakes.await(Duration.between(now, mayFindMore ? relook : fullLookDue()));
        return;
      }
      dueSince = exhaustedAt.minus(RELOOK_OVERLAP);
    }
    newWork = false;
    Instant leaseUntil = now.plus(lease);
    List<ClaimedDelivery> claimed = queue.claimDue(wanted, dueSince, now, leaseUntil, busy);
    leases.hold(claimed, leaseUntil);
    room.add(pacer.pace(claimed));
    dispatch.run();
    batchFilled = claimed.size() == wanted;
    if (!batchFilled) {
      awaitsSlotsBeside = busy.isEmpty() ? null : busy;
      sleepUntilDue(busy, now, dueSince.equals(DeliveryQueue.ALL_DUE));
    }
  }

  /** Webhooks the room has enough of, and those whose claims wait for their send slots. */
  Set<UUID> busyWebhooks() {
    Set<UUID> pacing = pacer.webhooksWaiting();
    Set<UUID> saturated = room.saturatedWebhooks();
    if (pacing.isEmpty()) {
      return saturated;
    }
    Set<UUID> busy = new HashSet<>(saturated);
    busy.addAll(pacing);
    return busy;
  }

  /**
   * The most the room allows, rounded down to a power of two: the queue writes the limit into its
   * statement, and a few sizes keep the statements few.
   */
  static int claimSize(int room) {
    return Integer.highestOneBit(Math.min(room, MAX_BATCH));
  }

  /**
   * Whether a claim within the poll interval took everything due beside at least these saturated
   * webhooks. Until the interval ends, claims beside them look only at what became due since the
   * last look, once deliveries were created or the last look filled its batch, and {@link
   * #RELOOK_BESIDE_BUSY} apart at most: other webhooks' new deliveries behind a backlog wait that
   * long, and a look costs what became due since the last, not the backlog. What a look from a
   * recent time misses (leases run out, rows another server held) waits for the next full one.
   */
  private boolean lookedBeside(Set<UUID> busy, Instant now) {
    return !busy.isEmpty() && busy.containsAll(exhaustedBeside) && now.isBefore(fullLookDue());
  }

  private Instant fullLookDue() {
    return fullyExhaustedAt.plus(pollInterval);
  }

  private void sleepUntilDue(Set<UUID> busy, Instant now, boolean lookedAtAllDue)
      throws InterruptedException {
    Duration wait = pollInterval;
    if (!busy.isEmpty()) {
      // Finding the next due time beside busy webhooks would scan their backlog too; retries of
      // other webhooks wait for the poll interval at most, new deliveries wake the loop early.
      exhaustedBeside = busy;
      exhaustedAt = now;
      if (lookedAtAllDue) {
        fullyExhaustedAt = now;
      }
      wakes.await(wait);
      return;
    }
    Instant nextDue = dueTimes.afterClaimAt(now).orElse(null);
    if (nextDue != null) {
      Duration untilDue = Duration.between(now, nextDue);
      if (untilDue.compareTo(wait) < 0) {
        wait = untilDue;
      }
    }
    if (wait.compareTo(MIN_WAIT) < 0) {
      // Due within moments, or due but not claimed with no webhook passed over (another
      // server's claim has it locked): wait a moment rather than spin. A finished attempt here
      // frees nothing a claim could take, so it does not wake the loop.
      wait = MIN_WAIT;
    }
    wakes.await(wait);
  }

  /** Waits the poll interval, or less when new deliveries wake the loop. */
  private void pauseAfterFailure() {
    try {
      wakes.await(pollInterval);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
