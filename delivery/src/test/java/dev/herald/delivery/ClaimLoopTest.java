package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.delivery.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One pass of the loop at a time, against a queue in memory; its waits return at once.
 *
 * <p>Past 250 lines as one class because the stepped clock and the queue in memory the passes run
 * against are written out here, beside the cases that read them.
 */
class ClaimLoopTest {
  private final List<Integer> claimSizes = new ArrayList<>();
  private final List<Set<UUID>> passedOver = new ArrayList<>();
  private final List<Instant> dueSinces = new ArrayList<>();
  private final List<ClaimedDelivery> due = new ArrayList<>();
  private final AtomicInteger dispatches = new AtomicInteger();
  private final DeliveryConfig config =
      new DeliveryConfig(
          true,
          Duration.ofSeconds(5),
          4,
          2,
          4,
          4,
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          true,
          new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0),
          EndpointHealthPolicy.never(),
          EndpointPausePolicy.never());

  @Test
  void aPassClaimsWhatTheRoomHoldsAndLetsItStart() throws Exception {
    WaitingRoom room = new WaitingRoom(0, 100, 50, new ConcurrencyLimits(2, 4, 4));
    LeaseKeeper leases = leases();
    due.add(claim(UUID.randomUUID()));
    due.add(claim(UUID.randomUUID()));

    loop(room, leases).pass();

    assertEquals(List.of(64), claimSizes, "the room's 100, rounded down to a power of two");
    assertEquals(2, leases.heldCount(), "what was claimed is held");
    assertEquals(98, room.room(), "and waits for a slot");
    assertEquals(2, dispatches.get(), "waiting claims are started before and after the claim");
  }

  @Test
  void aRoomTooFullToClaimASensibleBatchIsNotClaimedFor() throws Exception {
    WaitingRoom room =
        new WaitingRoom(0, WaitingRoom.MIN_CLAIM - 1, 50, new ConcurrencyLimits(2, 4, 4));

    loop(room, leases()).pass();

    assertEquals(List.of(), claimSizes);
  }

  @Test
  void aWebhookWithEnoughWaitingIsPassedOverByTheNextClaim() throws Exception {
    WaitingRoom room = new WaitingRoom(0, 100, 2, new ConcurrencyLimits(2, 4, 4));
    UUID busy = UUID.randomUUID();
    room.add(List.of(claim(busy), claim(busy)));

    loop(room, leases()).pass();

    assertEquals(List.of(Set.of(busy)), passedOver);
  }

  @Test
  void looksBesideSaturatedWebhooksReadWhatBecameDueSinceTheLastUntilThePollIntervalEnds()
      throws Exception {
    WaitingRoom room = new WaitingRoom(0, 100, 2, new ConcurrencyLimits(2, 4, 4));
    UUID busy = UUID.randomUUID();
    room.add(List.of(claim(busy), claim(busy)));
    Instant start = Instant.parse("2026-11-30T12:00:00Z");
    SteppedClock clock = new SteppedClock(start);
    ClaimLoop loop = loop(room, leases(), clock);

    loop.pass();
    assertEquals(List.of(DeliveryQueue.ALL_DUE), dueSinces, "the first look reads all that is due");

    clock.now = start.plusMillis(500);
    loop.pass();
    assertEquals(1, dueSinces.size(), "nothing new: no look until the poll interval ends");

    loop.newWork();
    clock.now = start.plusMillis(505);
    loop.pass();
    assertEquals(
        List.of(DeliveryQueue.ALL_DUE, start.minus(ClaimLoop.RELOOK_OVERLAP)),
        dueSinces,
        "new deliveries: a look at what became due since the last");

    loop.newWork();
    clock.now = start.plusMillis(509);
    loop.pass();
    assertEquals(2, dueSinces.size(), "looks at least 10 ms apart");

    clock.now = start.plusMillis(520);
    loop.pass();
    assertEquals(start.plusMillis(505).minus(ClaimLoop.RELOOK_OVERLAP), dueSinces.get(2));

    clock.now = start.plusMillis(1_000);
    loop.pass();
    assertEquals(
        List.of(DeliveryQueue.ALL_DUE), dueSinces.subList(3, 4), "a full look each poll interval");
    assertEquals(Set.of(Set.of(busy)), Set.copyOf(passedOver));
  }

  @Test
  void anEndedAttemptWakesTheLoopOnlyOnceAWebhookItPassedOverHasRoomAgain() throws Exception {
    WaitingRoom room = new WaitingRoom(1, 100, 2, new ConcurrencyLimits(2, 4, 4));
    UUID busy = UUID.randomUUID();
    room.add(List.of(claim(busy), claim(busy), claim(busy)));
    WakeSignal wakes = closedWakes();
    ClaimLoop loop = loop(room, leases(), Clock.systemUTC(), wakes);
    loop.pass();
    assertEquals(List.of(Set.of(busy)), passedOver);

    ClaimedDelivery first = room.takeStartable().get(0);
    loop.attemptEnded();
    assertFalse(wakes.pending(), "two of its claims still wait: nothing more to claim for it");

    room.free(first);
    room.takeStartable();
    loop.attemptEnded();
    assertTrue(wakes.pending(), "one waits: a claim may take more of it");
  }

  @Test
  void anEndedAttemptDoesNotWakeTheLoopWhenTheLastClaimTookEverythingDue() throws Exception {
    WaitingRoom room = new WaitingRoom(1, 100, 50, new ConcurrencyLimits(2, 4, 4));
    WakeSignal wakes = closedWakes();
    ClaimLoop loop = loop(room, leases(), Clock.systemUTC(), wakes);
    due.add(claim(UUID.randomUUID()));
    loop.pass();
    room.free(room.takeStartable().get(0));

    loop.attemptEnded();

    assertFalse(wakes.pending());
  }

  private LeaseKeeper leases() {
    return new LeaseKeeper(new Queue(), Clock.systemUTC(), config.lease(), config.leaseRenewal());
  }

  private ClaimLoop loop(WaitingRoom room, LeaseKeeper leases) {
    return loop(room, leases, Clock.systemUTC());
  }

  private ClaimLoop loop(WaitingRoom room, LeaseKeeper leases, Clock clock) {
    return loop(room, leases, clock, closedWakes());
  }

  /** Waits return at once: a pass is the unit under test. */
  private static WakeSignal closedWakes() {
    WakeSignal wakes = new WakeSignal(Clock.systemUTC());
    wakes.close();
    return wakes;
  }

  private ClaimLoop loop(WaitingRoom room, LeaseKeeper leases, Clock clock, WakeSignal wakes) {
    Queue queue = new Queue();
    return new ClaimLoop(
        queue,
        room,
        leases,
        wakes,
        new KnownDueTime(queue, config.pollInterval()),
        new Pacer(
            (webhook, spacing, count) -> Duration.ZERO,
            claim -> room.add(List.of(claim)),
            leases::giveBack,
            Clock.systemUTC()),
        dispatches::incrementAndGet,
        config,
        clock);
  }

  /** A clock that stands still until the test moves it. */
  private static final class SteppedClock extends Clock {
    private Instant now;

    SteppedClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static ClaimedDelivery claim(UUID webhook) {
    return TestClaims.claim(webhook, "p", "https://h.example/");
  }

  private final class Queue extends QueueWithoutPauses {
    @Override
    public List<ClaimedDelivery> claimDue(
        int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busy) {
      claimSizes.add(max);
      dueSinces.add(dueSince);
      passedOver.add(Set.copyOf(busy));
      List<ClaimedDelivery> taken = List.copyOf(due);
      due.clear();
      return taken;
    }

    @Override
    public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {}

    @Override
    public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
      return List.of();
    }

    @Override
    public void release(ClaimedDelivery claim, Instant now) {}

    @Override
    public Optional<Instant> nextDueTime(Instant now) {
      return Optional.empty();
    }
  }
}
