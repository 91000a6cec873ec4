package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.delivery.RetryPolicy;
import dev.herald.testing.Eventually;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The claim loop's wake-ups, against a queue that counts its claims and a real receiver on
 * loopback.
 *
 * <p>Past 250 lines as one class because every case reads the same counting queue, written out at
 * the end, against the same receiver.
 */
class DeliveryDispatcherTest {
  /** Long enough that only a wake-up, never the poll, makes the loop claim during a test. */
  private static final Duration POLL = Duration.ofSeconds(60);

  private static final Duration FIRST_RETRY = Duration.ofMillis(300);

  private HttpServer receiver;
  private final CountingQueue queue = new CountingQueue();
  private DeliveryDispatcher dispatcher;

  /** Three times the 4 slots: they all go out only if no attempt waits for its record. */
  private static final int MANY = 12;

  private final CountDownLatch received = new CountDownLatch(MANY);
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger failureStatus = new AtomicInteger(503);
  private final Set<UUID> disabled = ConcurrentHashMap.newKeySet();
  private final CountDownLatch firstDisabled = new CountDownLatch(1);
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @BeforeEach
  void start() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(
              failuresLeft.getAndDecrement() > 0 ? failureStatus.get() : 204, -1);
          exchange.close();
          received.countDown();
        });
    receiver.start();
    DeliveryConfig config =
        new DeliveryConfig(
            true,
            Duration.ofSeconds(5),
            4,
            4,
            4,
            4,
            POLL,
            Duration.ofSeconds(30),
            true,
            new RetryPolicy(3, FIRST_RETRY, 2.0, Duration.ofHours(1), 0),
            EndpointHealthPolicy.never(),
            EndpointPausePolicy.never());
    PrivateNetworkGuard guard = new PrivateNetworkGuard(true, HostResolver.system());
    WebhookSender sender =
        new WebhookSender(DeliveryHttpClient.create(guard, config.timeout(), 4), Clock.systemUTC());
    dispatcher =
        new DeliveryDispatcher(
            queue,
            new EndpointHealth(
                config.endpointHealth(),
                (id, reason, endPendingReason, at) -> {
                  boolean first = disabled.add(id);
                  firstDisabled.countDown();
                  return first;
                }),
            sender,
            (webhook, spacing, count) -> Duration.ZERO,
            config,
            Clock.systemUTC(),
            new DeliveryMetrics(registry));
  }

  @AfterEach
  void stop() {
    if (queue.recordsWait != null) {
      queue.recordsWait.countDown();
    }
    dispatcher.stop();
    receiver.stop(0);
  }

  @Test
  void newDeliveriesWakeTheLoopToClaimThem() throws InterruptedException {
    dispatcher.start();
    queue.awaitClaims(1);

    queue.add(claim());
    dispatcher.deliveriesCreated();

    assertTrue(
        queue.recorded.await(10, TimeUnit.SECONDS), "the new delivery was attempted and recorded");
  }

  @Test
  void anAttemptFinishedAfterAClaimThatTookEverythingDueStartsNoClaim()
      throws InterruptedException {
    queue.add(claim());
    dispatcher.start();

    assertTrue(
        queue.recorded.await(10, TimeUnit.SECONDS), "the delivery was attempted and recorded");
    // Without the rule, the finished attempt wakes the loop before its record is written, and the
    // loop claims again at once; with it, only the poll interval would.
    assertEquals(1, queue.claimsWithin(Duration.ofSeconds(1)), "claims: the first one only");
  }

  @Test
  void attemptsGoOnWhileTheirRecordsWaitForTheDatabase() throws InterruptedException {
    queue.recordsWait = new CountDownLatch(1);
    for (int i = 0; i < MANY; i++) {
      queue.add(claim());
    }
    dispatcher.start();

    assertTrue(
        received.await(10, TimeUnit.SECONDS),
        "every delivery reached the receiver while no record could be written; missing: "
            + received.getCount());
  }

  @Test
  void theQueueIsAskedForTheNextDueTimeOncePerPollIntervalNotAfterEveryClaim()
      throws InterruptedException {
    dispatcher.start();
    queue.awaitClaims(1);
    for (int i = 2; i <= 6; i++) {
      queue.add(claim());
      dispatcher.deliveriesCreated();
      queue.awaitClaims(i);
    }

    assertEquals(
        1, queue.nextDueAsked.get(), "next due times asked over 6 claims within one poll interval");
  }

  @Test
  void aRetryRecordedHereIsClaimedWhenDueWithoutWaitingForThePoll() throws InterruptedException {
    failuresLeft.set(1);
    queue.add(claim());
    dispatcher.start();

    // The first attempt fails; only the retry time the dispatcher noted can wake it in time.
    assertTrue(queue.succeeded.await(10, TimeUnit.SECONDS), "the retry was made and succeeded");
  }

  @Test
  void aWebhookWhoseReceiverAnsweredGoneIsDisabledOnceItsFailureIsRecorded()
      throws InterruptedException {
    failuresLeft.set(1);
    failureStatus.set(410);
    dispatcher.start();
    ClaimedDelivery claim = claim();
    queue.add(claim);
    dispatcher.deliveriesCreated();

    assertTrue(firstDisabled.await(10, TimeUnit.SECONDS));
    assertEquals(Set.of(claim.webhookId()), disabled);
    // Counted by the dispatcher once the disabling returns.
    Eventually.until("the disabling counted", () -> disabledCount() == 1.0);
  }

  private double disabledCount() {
    return registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("herald_webhooks_disabled"))
        .flatMap(m -> m.getDataPoints().stream())
        .mapToDouble(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue())
        .sum();
  }

  @Test
  void aDeliveryTakenAtIngestIsAttemptedWithoutAClaim() throws InterruptedException {
    assertEquals(0, dispatcher.opening().room(), "no room before the dispatcher starts");
    dispatcher.start();
    queue.awaitClaims(1);
    assertTrue(dispatcher.opening().room() > 0);

    dispatcher.take(List.of(claim()), Instant.now().plusSeconds(30));

    assertTrue(queue.recorded.await(10, TimeUnit.SECONDS), "attempted and recorded");
    assertEquals(1, queue.claimsWithin(Duration.ofMillis(300)), "no claim beyond the first");
  }

  @Test
  void anErrorInTheClaimLoopDoesNotStopDelivery() throws InterruptedException {
    queue.claimError = new StackOverflowError("injected");
    dispatcher.start();
    queue.awaitClaims(1);

    queue.add(claim());
    dispatcher.deliveriesCreated();

    assertTrue(queue.recorded.await(10, TimeUnit.SECONDS), "delivered after the loop's Error");
  }

  private ClaimedDelivery claim() {
    return new ClaimedDelivery(
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.randomUUID(),
        "project",
        "bot",
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/",
        "{}",
        0,
        0,
        dev.herald.testing.TestSigning.hmacOnly("proj"),
        Instant.now(),
        false,
        java.util.OptionalInt.empty(),
        false);
  }

  private static ClaimedDelivery again(ClaimedDelivery claim) {
    return new ClaimedDelivery(
        claim.id(),
        UUID.randomUUID(),
        claim.idempotencyKey(),
        claim.webhookId(),
        claim.projectId(),
        claim.botId(),
        claim.url(),
        claim.payload(),
        claim.attemptsMade() + 1,
        claim.roundStart(),
        claim.signing(),
        claim.createTime(),
        claim.inLine(),
        claim.maxRequestsPerSecond(),
        false);
  }

  /**
   * Hands out what was added, once; counts claims; records nothing but that it was asked to, once
   * {@link #recordsWait} (if set) lets it.
   */
  private static final class CountingQueue extends QueueWithoutPauses {
    private final Map<ClaimedDelivery, Instant> due = new LinkedHashMap<>();
    private final AtomicInteger claims = new AtomicInteger();
    final CountDownLatch recorded = new CountDownLatch(1);
    final CountDownLatch succeeded = new CountDownLatch(1);
    final AtomicInteger nextDueAsked = new AtomicInteger();
    volatile CountDownLatch recordsWait;
    volatile Error claimError;

    synchronized void add(ClaimedDelivery claim) {
      addDueAt(claim, Instant.MIN);
    }

    synchronized void addDueAt(ClaimedDelivery claim, Instant time) {
      due.put(claim, time);
    }

    @Override
    public synchronized List<ClaimedDelivery> claimDue(
        int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busy) {
      claims.incrementAndGet();
      notifyAll();
      Error error = claimError;
      if (error != null) {
        claimError = null;
        throw error;
      }
      List<ClaimedDelivery> taken =
          due.entrySet().stream()
              .filter(d -> !d.getValue().isAfter(now))
              .map(Map.Entry::getKey)
              .toList();
      taken.forEach(due::remove);
      notifyAll();
      return taken;
    }

    synchronized void awaitClaims(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (claims.get() < count && System.nanoTime() < deadline) {
        wait(50);
      }
      assertTrue(claims.get() >= count, "claims made: " + claims.get());
    }

    /** The claims made so far, once {@code quiet} has passed without another. */
    synchronized int claimsWithin(Duration quiet) throws InterruptedException {
      long deadline = System.nanoTime() + quiet.toNanos();
      int seen = claims.get();
      while (System.nanoTime() < deadline && claims.get() == seen) {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      return claims.get();
    }

    @Override
    public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {}

    @Override
    public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
      if (recordsWait != null) {
        try {
          recordsWait.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      for (AttemptOutcome outcome : outcomes) {
        recorded.countDown();
        if (outcome.attempt().succeeded()) {
          succeeded.countDown();
        } else if (outcome.next() instanceof NextStep.RetryAt retry) {
          addDueAt(again(outcome.claim()), retry.time());
        }
      }
      return outcomes.stream().map(outcome -> RecordedOutcome.HELD).toList();
    }

    @Override
    public void release(ClaimedDelivery claim, Instant now) {}

    @Override
    public Optional<Instant> nextDueTime(Instant now) {
      nextDueAsked.incrementAndGet();
      return Optional.empty();
    }
  }
}
