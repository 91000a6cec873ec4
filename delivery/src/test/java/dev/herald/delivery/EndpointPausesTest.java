package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** How often the endpoint's pause is asked of the database as its failures are recorded. */
class EndpointPausesTest {
  private static final int AFTER_FAILED = 10;

  private final UUID webhook = UUID.randomUUID();
  private final PausingQueue queue = new PausingQueue();
  private final EndpointPauses pauses =
      new EndpointPauses(
          EndpointPausePolicy.of(AFTER_FAILED, Duration.ofMinutes(1), Duration.ofDays(3)),
          new EndpointHealth(EndpointHealthPolicy.never(), (id, reason, ended, at) -> false),
          queue,
          new DeliveryMetrics(new PrometheusRegistry()),
          Clock.systemUTC(),
          Duration.ofSeconds(30));

  @Test
  void theFailuresOfAttemptsMadeBeforeThePauseDoNotPauseItAgain() {
    recordFailures(AFTER_FAILED - 1);
    assertEquals(0, queue.pauses.get(), "not yet: fewer failures in a row than the policy's");

    recordFailures(500);

    assertEquals(1, queue.pauses.get(), "paused once, though 500 more failures were recorded");
  }

  @Test
  void eachFailedProbePausesAgain() {
    recordFailures(AFTER_FAILED);
    pauses.afterRecord(failure(true));
    pauses.afterRecord(failure(true));

    assertEquals(3, queue.pauses.get(), "the pause, then once for each probe that failed");
  }

  @Test
  void aPauseEndedElsewhereIsMadeAgainOnceAClaimFindsItOver() {
    recordFailures(AFTER_FAILED);
    ClaimedDelivery afterResume = TestClaims.claim(webhook, "proj", "http://localhost/down");
    assertTrue(pauses.holdsBack(afterResume), "claimed before this server knew of the resume");

    queue.paused = false;
    pauses.giveBack(List.of(afterResume));
    pauses.afterRecord(failure(false));

    assertEquals(2, queue.pauses.get(), "down again after another server's probe got through");
  }

  @Test
  void aPauseBegunHereGivesBackTheClaimsWaitingForItsEndpointInOneGo() {
    List<ClaimedDelivery> waiting = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      waiting.add(TestClaims.claim(webhook, "proj", "http://localhost/down"));
    }
    List<UUID> withdrawnOf = new CopyOnWriteArrayList<>();
    pauses.start(
        () -> {},
        id -> {
          withdrawnOf.add(id);
          return withdrawnOf.size() == 1 ? waiting : List.of();
        });
    try {
      recordFailures(AFTER_FAILED);
      pauses.afterRecord(failure(true));
    } finally {
      pauses.stop();
    }

    assertEquals(List.of(webhook), withdrawnOf, "withdrawn when the pause began, not again");
    assertEquals(List.of(waiting), queue.givenBack, "given back together");
  }

  /** Records {@code times} failed attempts of ordinary deliveries, not probes. */
  private void recordFailures(int times) {
    for (int i = 0; i < times; i++) {
      pauses.afterRecord(failure(false));
    }
  }

  private AttemptOutcome failure(boolean probe) {
    ClaimedDelivery claim =
        probe
            ? TestClaims.probe(webhook, "http://localhost/down")
            : TestClaims.claim(webhook, "proj", "http://localhost/down");
    DeliveryAttempt attempt =
        new DeliveryAttempt(
            1, claim.url(), Instant.now(), Duration.ofMillis(1), 503, "", "", false, null);
    return new AttemptOutcome(claim, attempt, new NextStep.RetryAt(Instant.now().plusSeconds(30)));
  }

  /** Counts the pauses asked for; the endpoint stays paused once paused, until told otherwise. */
  private static final class PausingQueue extends QueueWithoutPauses {
    final AtomicInteger pauses = new AtomicInteger();
    final List<List<ClaimedDelivery>> givenBack = new CopyOnWriteArrayList<>();
    volatile boolean paused;
    private Instant since;

    @Override
    public Optional<Instant> pauseEndpoint(
        UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
      pauses.incrementAndGet();
      if (!paused) {
        paused = true;
        since = now;
      }
      return Optional.of(since);
    }

    @Override
    public Set<UUID> park(List<ClaimedDelivery> claims, Instant now) {
      givenBack.add(List.copyOf(claims));
      return paused ? Set.of() : Set.of(claims.get(0).webhookId());
    }

    @Override
    public List<ClaimedDelivery> claimDue(
        int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busy) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void release(ClaimedDelivery claim, Instant dueAt) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Instant> nextDueTime(Instant now) {
      throw new UnsupportedOperationException();
    }
  }
}
