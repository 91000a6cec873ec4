package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls due deliveries from the queue and attempts them: at most {@code concurrency} HTTP calls
 * at a time, and at most so many to one webhook, one project and one destination ({@link
 * ConcurrencyLimits}).
 *
 * <p>One loop thread claims work in batches, ahead of free slots, so that a worker finishing a
 * call finds its next delivery already claimed and starts it itself. Worker threads make the HTTP
 * calls, outside any transaction, and hand the outcome to the {@link AttemptRecorder}: a slot is
 * free again as soon as the response is in, not after the database's round trip.
 * The loop sleeps until the earliest known due time or the poll interval, and is woken early
 * when deliveries are committed (here or, through LISTEN/NOTIFY, on another server) or an attempt
 * finishes. Leases of claimed deliveries are renewed until their attempt is recorded.
 */
public final class DeliveryDispatcher implements DeliveryNotifier {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);
  /** Most deliveries one claim takes. */
  private static final int MAX_BATCH = 128;
  /**
   * Most claimed deliveries waiting for a slot: enough that the next claim is made while the work
   * already claimed keeps every slot busy, even when a claim takes 50 ms.
   */
  private static final int MAX_WAITING = 4 * MAX_BATCH;
  /** A claim smaller than this waits for more room rather than make a round trip for a few. */
  private static final int MIN_CLAIM = 16;
  private static final Duration MIN_WAIT = Duration.ofMillis(10);
  /** How soon new deliveries justify reading past saturated webhooks' backlog again. */
  private static final Duration RELOOK_BESIDE_BUSY = Duration.ofMillis(100);
  /** How long stopping waits for the records of finished attempts. */
  private static final Duration RECORDS_AT_STOP = Duration.ofSeconds(10);

  private final DeliveryQueue queue;
  private final WebhookSender sender;
  private final RetryPolicy retryPolicy;
  private final DeliveryMetrics metrics;
  private final DeliveryConfig config;
  private final Clock clock;
  private final Semaphore slots;
  /** Guarded by {@link #waiting}, as the claims it lets start are. */
  private final ConcurrencyLimits limits;
  /**
   * Claims this process holds (attempts in flight and claims waiting for a slot), with when each
   * one's lease ends.
   */
  private final Map<ClaimedDelivery, Instant> held = new ConcurrentHashMap<>();
  /**
   * Claimed deliveries waiting for a slot, by webhook, in the order webhooks are served next;
   * guarded by itself (the loop adds, whoever frees a slot takes).
   */
  private final Map<UUID, Deque<ClaimedDelivery>> waiting = new LinkedHashMap<>();
  private int waitingCount;
  /** Claimed deliveries one webhook may have waiting before claims pass it over. */
  private final int waitingPerWebhook;
  private final Object wakeSignal = new Object();
  private boolean wakeRequested;
  /**
   * When the waiting loop wakes by itself; {@code Instant.MAX} while it runs, so that what happens
   * meanwhile is looked at before it waits again.
   */
  private volatile Instant wakesAt = Instant.MAX;
  private final KnownDueTime dueTimes;
  /** Set when deliveries are created, here or elsewhere; cleared by the claim that follows. */
  private volatile boolean newWork;
  /**
   * Whether a slot set free may let the loop claim more: it waits for room, or more is due beside
   * saturated webhooks. Cleared only when the last claim took everything due, so that a finished
   * attempt does not wake the loop for a claim that finds nothing (at 100 deliveries a second,
   * most of the dispatcher's queries).
   */
  private volatile boolean claimsAwaitSlots = true;
  /**
   * The saturated webhooks passed over by the last claim that found nothing more to take, and
   * when; loop thread only. Asking again with the same webhooks passed over reads their whole due
   * backlog in the index (185 ms at 100,000 rows), only to find nothing once more.
   */
  private Set<UUID> exhaustedBeside = Set.of();
  private Instant exhaustedAt = Instant.MIN;
  private volatile boolean running;
  private ExecutorService workers;
  private volatile AttemptRecorder recorder;
  private ScheduledExecutorService leaseKeeper;
  private Thread loop;

  DeliveryDispatcher(
      DeliveryQueue queue, WebhookSender sender, DeliveryConfig config, Clock clock, DeliveryMetrics metrics) {
    this.queue = requireNonNull(queue, "queue");
    this.metrics = requireNonNull(metrics, "metrics");
    this.sender = requireNonNull(sender, "sender");
    this.config = requireNonNull(config, "config");
    this.retryPolicy = config.retryPolicy();
    this.clock = requireNonNull(clock, "clock");
    this.slots = new Semaphore(config.concurrency());
    this.limits =
        new ConcurrencyLimits(
            config.perEndpointConcurrency(), config.perProjectConcurrency(), config.perHostConcurrency());
    this.waitingPerWebhook = Math.min(MAX_WAITING - MAX_BATCH, 8 * config.perEndpointConcurrency());
    this.dueTimes = new KnownDueTime(queue, config.pollInterval());
    metrics.watch(
        () -> config.concurrency() - slots.availablePermits(),
        () -> recorder == null ? 0 : recorder.waitingCount());
  }

  /** Starts claiming and attempting deliveries, unless this process is configured not to. */
  public synchronized void start() {
    if (running || !config.enabled()) {
      return;
    }
    running = true;
    recorder = new AttemptRecorder(queue, config.endpointHealth(), this::recorded);
    recorder.start();
    AtomicInteger workerNumber = new AtomicInteger();
    workers =
        Executors.newFixedThreadPool(
            config.concurrency(), task -> daemon(task, "herald-delivery-" + workerNumber.incrementAndGet()));
    leaseKeeper = Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "herald-leases"));
    long renewal = config.leaseRenewal().toMillis();
    leaseKeeper.scheduleWithFixedDelay(this::renewLeases, renewal, renewal, TimeUnit.MILLISECONDS);
    loop = new Thread(this::run, "herald-dispatcher");
    loop.start();
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Stops claiming, lets attempts in flight finish within the delivery timeout and their records
   * be written, and gives back any claim not recorded, so another server (or this one, restarted)
   * makes it.
   */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    wake();
    try {
      loop.join();
      workers.shutdown();
      if (!workers.awaitTermination(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
      }
      recorder.stop(RECORDS_AT_STOP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    leaseKeeper.shutdownNow();
    for (ClaimedDelivery unfinished : held.keySet()) {
      releaseQuietly(unfinished);
    }
  }

  @Override
  public void deliveriesCreated() {
    newWork = true;
    wake();
  }

  private void wake() {
    synchronized (wakeSignal) {
      wakeRequested = true;
      wakeSignal.notifyAll();
    }
  }

  private void run() {
    while (running) {
      try {
        claimsAwaitSlots = true;
        dispatchWaiting();
        int room = MAX_WAITING - waitingCount();
        if (room < MIN_CLAIM) {
          // Enough claimed work is waiting for slots: claim more once some of it has gone out.
          sleepUntilWoken();
          continue;
        }
        int wanted = claimSize(room);
        Set<UUID> busy = saturatedWebhooks();
        Instant now = clock.instant();
        if (nothingNewBeside(busy, now)) {
          waitForWake(Duration.between(now, exhaustionEnds()));
          continue;
        }
        newWork = false;
        Instant leaseUntil = now.plus(config.lease());
        List<ClaimedDelivery> claimed = queue.claimDue(wanted, now, leaseUntil, busy);
        claimed.forEach(claim -> held.put(claim, leaseUntil));
        addWaiting(claimed);
        dispatchWaiting();
        if (claimed.size() < wanted) {
          claimsAwaitSlots = !busy.isEmpty();
          sleepUntilDue(busy, now);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("Claiming deliveries failed; trying again in {}", config.pollInterval(), e);
        pauseAfterFailure();
      } catch (Error e) {
        // Delivery must not stop silently while the server goes on answering: whatever broke
        // this pass, the next one starts afresh.
        log.error("The claim loop failed unexpectedly; going on in {}", config.pollInterval(), e);
        pauseAfterFailure();
      }
    }
    synchronized (waiting) {
      waiting.clear();
      waitingCount = 0;
    }
  }

  /**
   * The most the room allows, rounded down to a power of two: the queue writes the limit into
   * its statement, and a few sizes keep the statements few.
   */
  private static int claimSize(int room) {
    return Integer.highestOneBit(Math.min(room, MAX_BATCH));
  }

  /**
   * Whether the last claim found nothing due beside at least these saturated webhooks recently
   * enough to stand: for the poll interval, or {@link #RELOOK_BESIDE_BUSY} once deliveries were
   * created since. Other webhooks' new deliveries behind a backlog wait that long at most, and
   * steady ingest does not turn into back-to-back scans of the backlog.
   */
  private boolean nothingNewBeside(Set<UUID> busy, Instant now) {
    return !busy.isEmpty() && busy.containsAll(exhaustedBeside) && now.isBefore(exhaustionEnds());
  }

  private Instant exhaustionEnds() {
    return exhaustedAt.plus(newWork ? RELOOK_BESIDE_BUSY : config.pollInterval());
  }

  private int waitingCount() {
    synchronized (waiting) {
      return waitingCount;
    }
  }

  private void addWaiting(List<ClaimedDelivery> claims) {
    synchronized (waiting) {
      for (ClaimedDelivery claim : claims) {
        waiting.computeIfAbsent(claim.webhookId(), id -> new ArrayDeque<>()).add(claim);
      }
      waitingCount += claims.size();
    }
  }

  /**
   * Webhooks that need no more claimed work for now: enough of theirs is waiting to keep their
   * slots busy through the next claim, or what is waiting cannot start because its project or its
   * destination has every slot it may have. Passing them over lets a claim reach other webhooks'
   * work behind a large backlog, and keeps one tenant's claims from filling the waiting room.
   */
  private Set<UUID> saturatedWebhooks() {
    Set<UUID> saturated = new HashSet<>();
    synchronized (waiting) {
      waiting.forEach((webhook, claims) -> {
        if (claims.size() >= waitingPerWebhook || !limits.tenantAndHostHaveRoom(claims.peek())) {
          saturated.add(webhook);
        }
      });
    }
    return saturated;
  }

  /**
   * Starts waiting claims while slots are free, one webhook after another: a webhook served goes
   * to the back of the line, so that scarce slots are shared rather than taken by the first.
   */
  private void dispatchWaiting() {
    List<ClaimedDelivery> starting = new ArrayList<>();
    synchronized (waiting) {
      boolean tookAny = true;
      while (tookAny && slots.availablePermits() > 0) {
        tookAny = false;
        for (UUID webhook : List.copyOf(waiting.keySet())) {
          ClaimedDelivery next = waiting.get(webhook).peek();
          if (!limits.webhookHasRoom(next) || !limits.tenantAndHostHaveRoom(next) || !slots.tryAcquire()) {
            continue;
          }
          Deque<ClaimedDelivery> claims = waiting.remove(webhook);
          ClaimedDelivery claim = claims.poll();
          if (!claims.isEmpty()) {
            waiting.put(webhook, claims);
          }
          waitingCount--;
          limits.take(claim);
          starting.add(claim);
          tookAny = true;
        }
      }
    }
    starting.forEach(this::start);
  }

  /** Starts the attempt; the caller took a global and an endpoint slot for it. */
  private void start(ClaimedDelivery claim) {
    try {
      workers.execute(() -> attempt(claim));
    } catch (RejectedExecutionException stopping) {
      // Stopping: the claim stays held, and stop() gives it back.
      freeSlots(claim);
    }
  }

  private void attempt(ClaimedDelivery claim) {
    DeliveryAttempt attempt;
    try {
      attempt = sender.send(claim);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      releaseQuietly(claim);
      letGo(claim);
      return;
    } catch (RuntimeException | Error e) {
      // Its slots are freed either way, or they would be lost to every later delivery.
      log.error("Attempt of delivery {} failed unexpectedly; it is due again when its lease ends", claim.id(), e);
      letGo(claim);
      return;
    }
    freeSlots(claim);
    metrics.attempted(claim, attempt);
    if (running) {
      dispatchWaiting();
    }
    if (claimsAwaitSlots) {
      wake();
    }
    NextStep next =
        retryPolicy.after(attempt, claim.nextAttemptInRound(), clock.instant(), ThreadLocalRandom.current()::nextDouble);
    try {
      recorder.record(new AttemptOutcome(claim, attempt, next));
    } catch (InterruptedException e) {
      // Stopping and out of time: the claim stays held, and stop() gives it back.
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops holding the claim. A retry it scheduled that falls due before the loop would wake by
   * itself wakes it, as nothing else would.
   */
  private void recorded(AttemptOutcome outcome, boolean stillHeld) {
    held.remove(outcome.claim());
    if (stillHeld) {
      metrics.recorded(outcome);
    }
    if (stillHeld && outcome.next() instanceof NextStep.RetryAt retry) {
      dueTimes.retryAt(retry.time());
      if (retry.time().isBefore(wakesAt)) {
        wake();
      }
    }
  }

  /** Stops holding a claim that no attempt will be recorded for. */
  private void letGo(ClaimedDelivery claim) {
    held.remove(claim);
    freeSlots(claim);
  }

  private void freeSlots(ClaimedDelivery claim) {
    synchronized (waiting) {
      limits.give(claim);
    }
    slots.release();
  }

  /**
   * Extends the leases that would otherwise run out before the renewal after next. In steady work
   * a claim is recorded within a second or two and never needs it; renewing every held claim each
   * time locked hundreds of rows that the records of those very deliveries then waited for.
   */
  private void renewLeases() {
    Instant now = clock.instant();
    Instant renewBefore = now.plus(config.leaseRenewal().multipliedBy(2));
    List<ClaimedDelivery> ending =
        held.entrySet().stream()
            .filter(claim -> claim.getValue().isBefore(renewBefore))
            .map(Map.Entry::getKey)
            .toList();
    if (ending.isEmpty()) {
      return;
    }
    Instant leaseUntil = now.plus(config.lease());
    try {
      queue.renew(ending, leaseUntil);
      ending.forEach(claim -> held.replace(claim, leaseUntil));
    } catch (RuntimeException e) {
      log.warn("Could not renew delivery leases; trying again in {}", config.leaseRenewal(), e);
    }
  }

  private void releaseQuietly(ClaimedDelivery claim) {
    try {
      queue.release(claim);
    } catch (RuntimeException e) {
      log.warn("Could not release delivery {}; it is due again when its lease ends", claim.id(), e);
    }
  }

  private void sleepUntilDue(Set<UUID> busy, Instant now) throws InterruptedException {
    Duration wait = config.pollInterval();
    if (!busy.isEmpty()) {
      // Finding the next due time beside busy webhooks would scan their backlog too; retries of
      // other webhooks wait for the poll interval at most, new deliveries wake the loop early.
      exhaustedBeside = busy;
      exhaustedAt = now;
      waitForWake(wait);
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
    waitForWake(wait);
  }

  private void sleepUntilWoken() throws InterruptedException {
    waitForWake(config.pollInterval());
  }

  private void waitForWake(Duration atMost) throws InterruptedException {
    synchronized (wakeSignal) {
      if (!wakeRequested && running) {
        wakesAt = clock.instant().plus(atMost);
        wakeSignal.wait(Math.max(1, atMost.toMillis()));
        wakesAt = Instant.MAX;
      }
      wakeRequested = false;
    }
  }

  /** Waits the poll interval, or less when new deliveries wake the loop. */
  private void pauseAfterFailure() {
    try {
      waitForWake(config.pollInterval());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
