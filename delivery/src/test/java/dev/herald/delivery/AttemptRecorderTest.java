package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.UnavailableException;
import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.testing.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AttemptRecorderTest {
  private final RecordingQueue queue = new RecordingQueue();
  private final Set<ClaimedDelivery> done = ConcurrentHashMap.newKeySet();
  private final AttemptRecorder recorder =
      new AttemptRecorder(queue, (outcome, found) -> done.add(outcome.claim()));

  @Test
  void outcomesWaitingTogetherAreWrittenAsOneBatch() throws InterruptedException {
    queue.writes = new CountDownLatch(1);
    recorder.start();
    recorder.record(outcome(claim())); // taken at once, and held up in the database
    assertTrue(queue.entered.await(10, TimeUnit.SECONDS), "the first record reached the queue");
    List<ClaimedDelivery> meanwhile = List.of(claim(), claim(), claim(), claim(), claim());
    for (ClaimedDelivery claim : meanwhile) {
      recorder.record(outcome(claim));
    }
    queue.writes.countDown();
    recorder.stop(Duration.ofSeconds(10));

    assertEquals(6, done.size(), "every claim was reported recorded");
    assertTrue(
        queue.batches.stream().anyMatch(batch -> batch.size() >= 3),
        "outcomes handed over during a write went out together: " + sizes());
  }

  @Test
  void anOutcomeHandedOverWhileTheBatchGathersJoinsIt() throws InterruptedException {
    AttemptRecorder patient =
        new AttemptRecorder(
            queue, (outcome, found) -> done.add(outcome.claim()), Duration.ofMinutes(1));
    patient.start();
    patient.record(outcome(claim()));
    Eventually.until("the first outcome was taken into a batch", () -> patient.waitingCount() == 0);
    patient.record(outcome(claim()));
    patient.stop(Duration.ofSeconds(10));

    assertEquals(
        List.of(2),
        queue.batches.stream().map(List::size).toList(),
        "handed over after the first was taken, yet written with it");
  }

  @Test
  void aRecordThatFailsFailsOnlyItself() throws InterruptedException {
    ClaimedDelivery bad = claim();
    queue.failing = bad;
    queue.writes = new CountDownLatch(1);
    recorder.start();
    recorder.record(outcome(claim()));
    assertTrue(queue.entered.await(10, TimeUnit.SECONDS), "the first record reached the queue");
    ClaimedDelivery good = claim();
    recorder.record(outcome(bad));
    recorder.record(outcome(good));
    queue.writes.countDown();
    recorder.stop(Duration.ofSeconds(10));

    assertTrue(
        queue.written.contains(good.id()), "the good outcome beside the bad one was written");
    assertEquals(2, queue.written.size(), "written: the first and the good one");
    assertEquals(3, done.size(), "every claim was reported, the failed one too");
  }

  @Test
  void anOutcomeWhoseRecordIsRefusedEndsTheDeliveryWithoutItsResponse()
      throws InterruptedException {
    ClaimedDelivery claim = claim();
    queue.refuses = outcome -> !outcome.attempt().responseBody().isEmpty();
    recorder.start();
    DeliveryAttempt failed =
        new DeliveryAttempt(
            1,
            claim.url(),
            Instant.now(),
            Duration.ofMillis(3),
            500,
            "unstorable",
            "",
            false,
            null);
    recorder.record(
        new AttemptOutcome(claim, failed, new NextStep.RetryAt(Instant.now().plusSeconds(30))));
    recorder.stop(Duration.ofSeconds(10));

    AttemptOutcome recorded = queue.recorded.get(claim.id());
    assertEquals(new NextStep.Fail(), recorded.next(), "ended, not sent again for ever");
    assertEquals(500, recorded.attempt().responseStatusCode(), "the status code is kept");
    assertEquals("", recorded.attempt().responseBody());
    assertTrue(recorded.attempt().error().contains("refused"), recorded.attempt().error());
    assertTrue(done.contains(claim));
  }

  @Test
  void anOutcomeNotRecordedWhileTheDatabaseIsUnavailableIsLeftForItsLease()
      throws InterruptedException {
    ClaimedDelivery claim = claim();
    queue.failing = claim;
    queue.failure = () -> new UnavailableException("the database is unavailable", null);
    recorder.start();
    recorder.record(outcome(claim));
    recorder.stop(Duration.ofSeconds(10));

    assertEquals(1, queue.batches.size(), "not written again as an ended delivery");
    assertTrue(queue.recorded.isEmpty());
    assertTrue(done.contains(claim), "reported as not held");
  }

  @Test
  void stoppingWritesWhatWasHandedOverFirst() throws InterruptedException {
    recorder.start();
    List<ClaimedDelivery> claims = new ArrayList<>();
    for (int i = 0; i < 3 * AttemptRecorder.MAX_BATCH; i++) {
      ClaimedDelivery claim = claim();
      claims.add(claim);
      recorder.record(outcome(claim));
    }
    recorder.stop(Duration.ofSeconds(10));

    assertEquals(
        claims.size(), queue.written.size(), "outcomes written before the recorder stopped");
  }

  private static ClaimedDelivery claim() {
    return new ClaimedDelivery(
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.randomUUID(),
        "project",
        "bot",
        "http://127.0.0.1:9/",
        "{}",
        0,
        0,
        dev.herald.testing.TestSigning.hmacOnly("proj"),
        Instant.now(),
        false,
        java.util.OptionalInt.empty(),
        false);
  }

  private static AttemptOutcome outcome(ClaimedDelivery claim) {
    DeliveryAttempt attempt =
        new DeliveryAttempt(
            1, claim.url(), Instant.now(), Duration.ofMillis(3), 204, "", "", true, null);
    return new AttemptOutcome(claim, attempt, new NextStep.Succeed());
  }

  private String sizes() {
    return queue.batches.stream().map(List::size).toList().toString();
  }

  /**
   * Keeps what it is asked to record; the first write waits for {@link #writes}; a batch holding
   * {@link #failing} throws, as a constraint violation would.
   */
  private static final class RecordingQueue extends QueueWithoutPauses {
    final List<List<AttemptOutcome>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Set<UUID> written = ConcurrentHashMap.newKeySet();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch writes = new CountDownLatch(0);
    final Map<UUID, AttemptOutcome> recorded = new ConcurrentHashMap<>();
    volatile ClaimedDelivery failing;
    volatile Predicate<AttemptOutcome> refuses = outcome -> false;
    volatile Supplier<RuntimeException> failure =
        () -> new IllegalStateException("violates a constraint");

    @Override
    public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
      entered.countDown();
      try {
        writes.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      batches.add(List.copyOf(outcomes));
      if (outcomes.stream()
          .anyMatch(outcome -> outcome.claim().equals(failing) || refuses.test(outcome))) {
        throw failure.get();
      }
      outcomes.forEach(outcome -> written.add(outcome.claim().id()));
      outcomes.forEach(outcome -> recorded.put(outcome.claim().id(), outcome));
      return outcomes.stream().map(outcome -> RecordedOutcome.HELD).toList();
    }

    @Override
    public List<ClaimedDelivery> claimDue(
        int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busy) {
      return List.of();
    }

    @Override
    public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {}

    @Override
    public void release(ClaimedDelivery claim, Instant now) {}

    @Override
    public Optional<Instant> nextDueTime(Instant now) {
      return Optional.empty();
    }
  }
}
