package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.RecordedOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeaseKeeperTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final List<ClaimedDelivery> renewed = new ArrayList<>();
  private final List<ClaimedDelivery> released = new ArrayList<>();
  private final LeaseKeeper leases =
      new LeaseKeeper(
          new Renewals(),
          Clock.fixed(NOW, ZoneOffset.UTC),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10));

  @Test
  void renewsOnlyTheLeasesThatWouldRunOutBeforeTheRenewalAfterNext() {
    ClaimedDelivery ending = claim();
    ClaimedDelivery fresh = claim();
    leases.hold(List.of(ending), NOW.plusSeconds(15));
    leases.hold(List.of(fresh), NOW.plusSeconds(30));

    leases.renewEnding();

    assertEquals(List.of(ending), renewed);
    renewed.clear();
    leases.renewEnding();
    assertEquals(List.of(), renewed, "renewed to 30 s from now, it needs nothing for a while");
  }

  @Test
  void aForgottenClaimIsNeitherRenewedNorReleased() {
    ClaimedDelivery recorded = claim();
    ClaimedDelivery unfinished = claim();
    leases.hold(List.of(recorded, unfinished), NOW.plusSeconds(1));
    leases.forget(recorded);

    leases.renewEnding();
    leases.stop();

    assertEquals(List.of(unfinished), renewed);
    assertEquals(List.of(unfinished), released, "stopping gives back what is still held");
    assertEquals(0, leases.heldCount());
  }

  private static ClaimedDelivery claim() {
    return TestClaims.claim(UUID.randomUUID(), "p", "https://h.example/");
  }

  private final class Renewals extends QueueWithoutPauses {
    @Override
    public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
      renewed.addAll(claims);
    }

    @Override
    public void release(ClaimedDelivery claim, Instant now) {
      released.add(claim);
    }

    @Override
    public List<ClaimedDelivery> claimDue(
        int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busy) {
      return List.of();
    }

    @Override
    public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
      return List.of();
    }

    @Override
    public Optional<Instant> nextDueTime(Instant now) {
      return Optional.empty();
    }
  }
}
