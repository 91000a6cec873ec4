package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

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
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls due deliveries from the queue and attempts them: at most {@code concurrency} at a time,
 * and at most {@code perEndpointConcurrency} to one webhook.
 *
 * <p>One loop thread claims work in batches, ahead of free slots; worker threads make the HTTP
 * calls, outside any transaction.
 * The loop sleeps until the earliest known due time or the poll interval, and is woken early
 * when deliveries are committed (here or, through LISTEN/NOTIFY, on another server) or an attempt
 * finishes. Leases of attempts in flight are renewed until they are recorded.
 */
public final class DeliveryDispatcher implements DeliveryNotifier {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);
  private static final int MAX_BATCH = 128;
  private static final Duration MIN_WAIT = Duration.ofMillis(10);

  private final DeliveryQueue queue;
  private final WebhookSender sender;
  private final RetryPolicy retryPolicy;
  private final DeliveryConfig config;
  private final Clock clock;
  private final Semaphore slots;
  private final EndpointSlots endpoints;
  /** Claims this process holds: attempts in flight and claims waiting for their endpoint. */
  private final Set<ClaimedDelivery> held = ConcurrentHashMap.newKeySet();
  /** Claimed deliveries whose webhook had no free slot; touched by the loop thread only. */
  private final Map<UUID, Deque<ClaimedDelivery>> waiting = new HashMap<>();
  private final Object wakeSignal = new Object();
  private boolean wakeRequested;
  /** Set when deliveries are created, here or elsewhere; cleared by the claim that follows. */
  private volatile boolean newWork;
  /**
   * The saturated webhooks passed over by the last claim that found nothing more to take, and
   * until when that answer stands; loop thread only. Asking again with the same webhooks passed
   * over would scan their backlog in the due index only to find nothing once more.
   */
  private Set<UUID> exhaustedBeside = Set.of();
  private Instant exhaustedUntil = Instant.MIN;
  private volatile boolean running;
  private ExecutorService workers;
  private ScheduledExecutorService leaseKeeper;
  private Thread loop;

  DeliveryDispatcher(DeliveryQueue queue, WebhookSender sender, DeliveryConfig config, Clock clock) {
    this.queue = requireNonNull(queue, "queue");
    this.sender = requireNonNull(sender, "sender");
    this.config = requireNonNull(config, "config");
    this.retryPolicy = config.retryPolicy();
    this.clock = requireNonNull(clock, "clock");
    this.slots = new Semaphore(config.concurrency());
    this.endpoints = new EndpointSlots(config.perEndpointConcurrency());
  }

  /** Starts claiming and attempting deliveries, unless this process is configured not to. */
  public synchronized void start() {
    if (running || !config.enabled()) {
      return;
    }
    running = true;
    AtomicInteger workerNumber = new AtomicInteger();
    workers =
        Executors.newFixedThreadPool(
            config.concurrency(),
            task -> daemon(task, "herald-delivery-" + workerNumber.incrementAndGet()));
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
   * Stops claiming, lets attempts in flight finish within the delivery timeout, and gives back
   * any that did not, so another server (or this one, restarted) makes them.
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    leaseKeeper.shutdownNow();
    for (ClaimedDelivery unfinished : held) {
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
        dispatchWaiting();
        int queued = waitingCount();
        if (queued > MAX_BATCH / 2) {
          // Enough claimed work is waiting for slots: claim more once some of it has gone out.
          sleepUntilWoken();
          continue;
        }
        int wanted = MAX_BATCH - queued;
        Set<UUID> busy = saturatedWebhooks();
        Instant now = clock.instant();
        if (nothingNewBeside(busy, now)) {
          waitForWake(Duration.between(now, exhaustedUntil));
          continue;
        }
        newWork = false;
        List<ClaimedDelivery> claimed = queue.claimDue(wanted, now, now.plus(config.lease()), busy);
        for (ClaimedDelivery claim : claimed) {
          held.add(claim);
          waiting.computeIfAbsent(claim.webhookId(), id -> new ArrayDeque<>()).add(claim);
        }
        dispatchWaiting();
        if (claimed.size() < wanted) {
          sleepUntilDue(busy, now);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("Claiming deliveries failed; trying again in {}", config.pollInterval(), e);
        sleep(config.pollInterval());
      }
    }
    waiting.clear();
  }

  /**
   * Whether the last claim already found nothing due beside at least these saturated webhooks,
   * and no deliveries were created since: then only a freed slot, new work or the poll interval
   * can change the answer.
   */
  private boolean nothingNewBeside(Set<UUID> busy, Instant now) {
    return !busy.isEmpty()
        && !newWork
        && busy.containsAll(exhaustedBeside)
        && now.isBefore(exhaustedUntil);
  }

  private int waitingCount() {
    return waiting.values().stream().mapToInt(Deque::size).sum();
  }

  /**
   * Webhooks that need no more claimed work for now: every slot busy and as many claims again
   * waiting. Claims are batched ahead of free slots, so the claim query runs once per batch
   * rather than once per delivery.
   */
  private Set<UUID> saturatedWebhooks() {
    Set<UUID> saturated = new HashSet<>();
    waiting.forEach((webhook, claims) -> {
      if (claims.size() >= config.perEndpointConcurrency()) {
        saturated.add(webhook);
      }
    });
    return saturated;
  }

  /** Sends waiting claims whose webhook has a free slot, while global slots last. */
  private void dispatchWaiting() {
    Iterator<Map.Entry<UUID, Deque<ClaimedDelivery>>> webhooks = waiting.entrySet().iterator();
    while (webhooks.hasNext()) {
      Map.Entry<UUID, Deque<ClaimedDelivery>> entry = webhooks.next();
      Deque<ClaimedDelivery> claims = entry.getValue();
      while (!claims.isEmpty() && !endpoints.isFull(entry.getKey()) && slots.tryAcquire()) {
        dispatch(claims.poll());
      }
      if (claims.isEmpty()) {
        webhooks.remove();
      }
    }
  }

  /** Starts the attempt; the caller holds a global slot for it. */
  private void dispatch(ClaimedDelivery claim) {
    endpoints.take(claim.webhookId());
    workers.execute(() -> attempt(claim));
  }

  private void attempt(ClaimedDelivery claim) {
    try {
      DeliveryAttempt attempt = sender.send(claim);
      NextStep next =
          retryPolicy.after(
              attempt, claim.nextAttemptInRound(), clock.instant(), ThreadLocalRandom.current()::nextDouble);
      if (!queue.recordAttempt(claim, attempt, next, config.endpointHealth())) {
        log.warn("Lease on delivery {} ran out during attempt {}", claim.id(), attempt.attemptNumber());
      }
      logOutcome(claim, attempt, next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      releaseQuietly(claim);
    } catch (RuntimeException e) {
      log.error("Attempt of delivery {} could not be recorded; it is due again when its lease ends", claim.id(), e);
    } finally {
      held.remove(claim);
      endpoints.give(claim.webhookId());
      slots.release();
      wake();
    }
  }

  private void renewLeases() {
    try {
      queue.renew(List.copyOf(held), clock.instant().plus(config.lease()));
    } catch (RuntimeException e) {
      log.warn("Could not renew delivery leases; trying again in {}", config.leaseRenewal(), e);
    }
  }

  private static void logOutcome(ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next) {
    if (attempt.succeeded()) {
      log.debug("Delivery {} succeeded on attempt {}", claim.id(), attempt.attemptNumber());
    } else if (next instanceof NextStep.RetryAt retry) {
      log.info(
          "Delivery {} attempt {} failed ({}); retrying at {}",
          claim.id(), attempt.attemptNumber(), reason(attempt), retry.time());
    } else if (next instanceof NextStep.DisableWebhook disable) {
      log.warn("Webhook {} disabled: {}", claim.webhookId(), disable.reason());
    } else {
      log.warn(
          "Delivery {} failed after {} attempts ({})",
          claim.id(), attempt.attemptNumber(), reason(attempt));
    }
  }

  private static String reason(DeliveryAttempt attempt) {
    return attempt.error().isEmpty() ? "HTTP " + attempt.responseStatusCode() : attempt.error();
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
      // other webhooks wait for the poll interval at most, new deliveries wake the loop at once.
      exhaustedBeside = busy;
      exhaustedUntil = now.plus(wait);
      waitForWake(wait);
      return;
    }
    Instant nextDue = queue.nextDueTime(now).orElse(null);
    if (nextDue != null) {
      Duration untilDue = Duration.between(now, nextDue);
      if (untilDue.compareTo(wait) < 0) {
        wait = untilDue;
      }
    }
    if (wait.compareTo(MIN_WAIT) < 0) {
      // Due but not claimed: another worker holds it, or its webhook is saturated here. Wait
      // for a moment, or for an attempt to finish, rather than spin.
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
        wakeSignal.wait(Math.max(1, atMost.toMillis()));
      }
      wakeRequested = false;
    }
  }

  private void sleep(Duration duration) {
    synchronized (wakeSignal) {
      try {
        if (running) {
          wakeSignal.wait(duration.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
