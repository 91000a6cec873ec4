package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WaitingRoomTest {
  private final UUID first = UUID.randomUUID();
  private final UUID second = UUID.randomUUID();

  @Test
  void webhooksAreServedInTurnWhileSlotsAreScarce() {
    WaitingRoom room = new WaitingRoom(3, 100, 50, new ConcurrencyLimits(8, 8, 8));
    room.add(
        List.of(
            claim(first, "p", "a"),
            claim(first, "p", "a"),
            claim(first, "p", "a"),
            claim(second, "p", "b")));

    List<UUID> started = room.takeStartable().stream().map(ClaimedDelivery::webhookId).toList();

    assertEquals(
        List.of(first, second, first),
        started,
        "the second webhook did not wait behind the first's backlog");
    assertEquals(3, room.slotsInUse());
    assertTrue(room.takeStartable().isEmpty(), "no slot left");
  }

  @Test
  void aFreedSlotLetsTheNextClaimStart() {
    WaitingRoom room = new WaitingRoom(1, 100, 50, new ConcurrencyLimits(8, 8, 8));
    room.add(List.of(claim(first, "p", "a"), claim(first, "p", "a")));
    ClaimedDelivery running = room.takeStartable().get(0);
    room.free(running);
    assertEquals(1, room.takeStartable().size());
    assertEquals(100, room.room(), "both were taken out of the room");
  }

  @Test
  void webhooksHeldBackByTheirProjectsLimitArePassedOverOnceItsSlotsCanBeFilledAgain() {
    WaitingRoom room = new WaitingRoom(10, 100, 50, new ConcurrencyLimits(8, 1, 8));
    room.add(List.of(claim(first, "greedy", "a"), claim(second, "greedy", "b")));
    assertEquals(1, room.takeStartable().size(), "one slot for the project");
    assertEquals(
        Set.of(),
        room.saturatedWebhooks(),
        "one claim waits for the project's slot: claims may take more, or it runs dry");

    for (int i = 2; i < ConcurrencyLimits.WAITING_ROUNDS; i++) {
      room.add(List.of(claim(first, "greedy", "a")));
    }
    assertEquals(
        Set.of(),
        room.saturatedWebhooks(),
        "a round short of " + ConcurrencyLimits.WAITING_ROUNDS + " rounds of the project's slot");

    room.add(List.of(claim(first, "greedy", "a")));
    assertEquals(
        Set.of(first, second),
        room.saturatedWebhooks(),
        ConcurrencyLimits.WAITING_ROUNDS + " claims wait for the project's one slot");
  }

  @Test
  void aWebhookWithEnoughWaitingIsPassedOver() {
    WaitingRoom room = new WaitingRoom(0, 100, 3, new ConcurrencyLimits(8, 8, 8));
    List<ClaimedDelivery> claims = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      claims.add(claim(first, "p", "a"));
    }
    claims.add(claim(second, "p", "b"));
    room.add(claims);
    assertEquals(Set.of(first), room.saturatedWebhooks());
    assertEquals(96, room.room());
    room.clear();
    assertEquals(100, room.room());
  }

  @Test
  void admitsMoreBesideWebhooksPassedOverOnceOneOfThemHasRoomAgain() {
    WaitingRoom room = new WaitingRoom(1, 100, 2, new ConcurrencyLimits(8, 8, 8));
    room.add(List.of(claim(first, "p", "a"), claim(first, "p", "a")));
    assertTrue(room.admitsMoreBeside(Set.of()), "room, and nothing passed over");
    assertFalse(room.admitsMoreBeside(Set.of(first)), "two of its claims wait");
    room.takeStartable();
    assertTrue(room.admitsMoreBeside(Set.of(first)), "one waits");
  }

  @Test
  void admitsNothingMoreWhileTooFullForASensibleClaim() {
    WaitingRoom room =
        new WaitingRoom(0, WaitingRoom.MIN_CLAIM, 50, new ConcurrencyLimits(8, 8, 8));
    room.add(List.of(claim(first, "p", "a")));
    assertFalse(room.admitsMoreBeside(Set.of()));
  }

  @Test
  void aWebhooksWithdrawnClaimsLeaveTheRoomAndItsOtherClaimsStay() {
    WaitingRoom room = new WaitingRoom(2, 100, 50, new ConcurrencyLimits(8, 8, 8));
    ClaimedDelivery probe = TestClaims.probe(first, "http://a/");
    List<ClaimedDelivery> firsts = List.of(claim(first, "p", "a"), claim(first, "p", "a"));
    ClaimedDelivery other = claim(second, "p", "b");
    room.add(List.of(firsts.get(0), probe, firsts.get(1), other));

    assertEquals(firsts, room.withdraw(first, claim -> !claim.probe()));

    assertEquals(98, room.room(), "the probe and the other webhook's claim wait on");
    assertEquals(Set.of(probe, other), Set.copyOf(room.takeStartable()));
    assertEquals(List.of(), room.withdraw(first, claim -> true), "nothing of it waits now");
  }

  private static ClaimedDelivery claim(UUID webhook, String project, String host) {
    return TestClaims.claim(webhook, project, "https://" + host + ".example/");
  }
}
