package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.UnavailableException;
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
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** When the endpoint's pause is asked of the database: as its failures arrive, and once. */
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
  void theEndpointIsPausedAsTheFailuresArriveBeforeAnyIsRecorded() {
    failAttempts(AFTER_FAILED - 1);
    assertEquals(0, queue.pauses.get(), "not yet: fewer failures in a row than the policy's");

    failAttempts(1);

    assertEquals(1, queue.pauses.get(), "paused by the tenth failure's response, unrecorded");
    assertTrue(
        pauses.holdsBack(TestClaims.claim(webhook, "proj", "http://localhost/down")),
        "claims made before the pause go back unattempted");
  }

  @Test
  void theFailuresOfAttemptsMadeBeforeThePauseDoNotPauseItAgain() {
    failAttempts(AFTER_FAILED + 500);
    recordFailures(AFTER_FAILED + 500);

    assertEquals(1, queue.pauses.get(), "paused once, though 500 more failures came and were kept");
  }

  @Test
  void aSuccessInBetweenStartsTheCountAgain() {
    failAttempts(AFTER_FAILED - 1);
    pauses.afterAttempt(success());
    failAttempts(AFTER_FAILED - 1);

    assertEquals(0, queue.pauses.get(), "never ten failures in a row");
  }

  @Test
  void aPauseTheDatabaseRefusedIsAskedAgainAtTheNextFailure() {
    queue.refusals.set(1);
    failAttempts(AFTER_FAILED);
    assertFalse(
        pauses.holdsBack(TestClaims.claim(webhook, "proj", "http://localhost/down")),
        "not paused: the database refused");

    failAttempts(1);

    assertEquals(2, queue.pauses.get(), "asked again by the next failure");
    assertTrue(pauses.holdsBack(TestClaims.claim(webhook, "proj", "http://localhost/down")));
  }

  @Test
  void eachFailedProbePausesAgain() {
    failAttempts(AFTER_FAILED);
    pauses.afterRecord(failure(true));
    pauses.afterRecord(failure(true));

    assertEquals(3, queue.pauses.get(), "the pause, then once for each probe that failed");
  }

  @Test
  void aPauseEndedElsewhereIsMadeAgainOnceAClaimFindsItOver() {
    failAttempts(AFTER_FAILED);
    ClaimedDelivery afterResume = TestClaims.claim(webhook, "proj", "http://localhost/down");
    assertTrue(pauses.holdsBack(afterResume), "claimed before this server knew of the resume");

    queue.paused = false;
    pauses.giveBack(afterResume);
    pauses.afterAttempt(failure(false));

    assertEquals(2, queue.pauses.get(), "down again after another server's probe got through");
  }

  /** {@code times} attempts of ordinary deliveries, not probes, whose responses were failures. */
  private void failAttempts(int times) {
    for (int i = 0; i < times; i++) {
      pauses.afterAttempt(failure(false));
    }
  }

  /** {@code times} failed attempts of ordinary deliveries, recorded. */
  private void recordFailures(int times) {
    for (int i = 0; i < times; i++) {
      pauses.afterRecord(failure(false));
    }
  }

  private AttemptOutcome failure(boolean probe) {
    return outcome(probe, 503);
  }

  private AttemptOutcome success() {
    return outcome(false, 200);
  }

  private AttemptOutcome outcome(boolean probe, int status) {
    ClaimedDelivery claim =
        probe
            ? TestClaims.probe(webhook, "http://localhost/down")
            : TestClaims.claim(webhook, "proj", "http://localhost/down");
    boolean succeeded = status < 300;
    DeliveryAttempt attempt =
        new DeliveryAttempt(
            1, claim.url(), Instant.now(), Duration.ofMillis(1), status, "", "", succeeded, null);
    NextStep next =
        succeeded ? new NextStep.Succeed() : new NextStep.RetryAt(Instant.now().plusSeconds(30));
    return new AttemptOutcome(claim, attempt, next);
  }

  /** Counts the pauses asked for; the endpoint stays paused once paused, until told otherwise. */
  private static final class PausingQueue extends QueueWithoutPauses {
    final AtomicInteger pauses = new AtomicInteger();

    /** How many of the next pauses asked for fail as a database fault would. */
    final AtomicInteger refusals = new AtomicInteger();

    volatile boolean paused;
    private Instant since;

    @Override
    public Optional<Instant> pauseEndpoint(
        UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
      pauses.incrementAndGet();
      if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new UnavailableException("the database is not answering");
      }
      if (!paused) {
        paused = true;
        since = now;
      }
      return Optional.of(since);
    }

    @Override
    public boolean park(ClaimedDelivery claim, Instant now) {
      return paused;
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
