package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.SendSlots;
import dev.herald.testing.Eventually;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacerTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final UUID limited = UUID.randomUUID();
  private final List<ClaimedDelivery> entered = new CopyOnWriteArrayList<>();
  private final Map<ClaimedDelivery, Instant> givenBack = new ConcurrentHashMap<>();
  private final List<Integer> taken = new ArrayList<>();

  /** Slots as the database hands them out: the next one free, never before now. */
  private final SendSlots slots =
      new SendSlots() {
        private Duration nextFree = Duration.ZERO;

        @Override
        public synchronized Duration take(UUID webhook, Duration spacing, int count) {
          taken.add(count);
          Duration first = nextFree;
          nextFree = nextFree.plus(spacing.multipliedBy(count));
          return first;
        }
      };

  private final Pacer pacer =
      new Pacer(slots, entered::add, givenBack::put, Clock.fixed(NOW, java.time.ZoneOffset.UTC));

  @AfterEach
  void stop() {
    pacer.stop();
  }

  @Test
  void unlimitedClaimsGoAtOnceAndLimitedOnesWaitForTheirSlots() {
    ClaimedDelivery free = TestClaims.claim(UUID.randomUUID(), "proj", "http://localhost/free");
    List<ClaimedDelivery> limitedClaims = claims(3, 100);
    List<ClaimedDelivery> all = new ArrayList<>(limitedClaims);
    all.add(1, free);

    assertEquals(List.of(free), pacer.pace(all));
    assertEquals(List.of(3), taken, "one round trip for the webhook's three slots");
    assertEquals(Set.of(limited), pacer.webhooksWaiting());
    Eventually.until("the three slots, 10 ms apart", () -> entered.size() == 3);
    assertEquals(limitedClaims, List.copyOf(entered), "in the order claimed");
    assertTrue(pacer.webhooksWaiting().isEmpty());
  }

  @Test
  void claimsBeyondTheHorizonGoBackDueWhenTheSlotsTakenRunOut() {
    List<ClaimedDelivery> limitedClaims = claims(8, 5);
    pacer.pace(limitedClaims);
    assertEquals(List.of(5), taken, "a second of slots at 5 a second");
    assertEquals(3, givenBack.size());
    for (ClaimedDelivery claim : limitedClaims.subList(5, 8)) {
      assertEquals(NOW.plusSeconds(1), givenBack.get(claim));
    }
  }

  @Test
  void aClaimTakesAtLeastOneSlotHoweverLowTheLimit() {
    pacer.pace(claims(2, 1));
    assertEquals(List.of(1), taken);
    assertEquals(1, givenBack.size());
  }

  @Test
  void slotsAreNeverCloserThanTheLimit() {
    assertEquals(Duration.ofNanos(333_334_000), SendSlots.spacing(3));
    assertEquals(Duration.ofMillis(20), SendSlots.spacing(50));
  }

  private List<ClaimedDelivery> claims(int count, int perSecond) {
    List<ClaimedDelivery> claims = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      claims.add(TestClaims.limited(limited, perSecond));
    }
    return claims;
  }
}
