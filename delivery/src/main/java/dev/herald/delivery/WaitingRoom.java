package dev.herald.delivery;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Claimed deliveries waiting for a slot, and the slots themselves, under one lock: the global
 * slots, and the limits per webhook, project and destination ({@link ConcurrencyLimits}). Claims
 * wait by webhook, and webhooks are served in turn, so scarce slots are shared rather than taken by
 * the first webhook in line.
 */
final class WaitingRoom {
  /** A claim smaller than this waits for more room rather than make a round trip for a few. */
  static final int MIN_CLAIM = 16;

  private final int capacity;
  private final int perWebhook;
  private final ConcurrencyLimits limits;
  private final Map<UUID, Deque<ClaimedDelivery>> waiting = new LinkedHashMap<>();
  private int waitingCount;
  private int freeSlots;
  private final int slots;

  /**
   * @param slots attempts in flight at once
   * @param capacity claims waiting at once at most
   * @param perWebhook claims of one webhook waiting before claims pass that webhook over
   */
  WaitingRoom(int slots, int capacity, int perWebhook, ConcurrencyLimits limits) {
    this.slots = slots;
    this.freeSlots = slots;
    this.capacity = capacity;
    this.perWebhook = perWebhook;
    this.limits = limits;
  }

  /** How many more claims may wait. */
  synchronized int room() {
    return capacity - waitingCount;
  }

  synchronized void add(List<ClaimedDelivery> claims) {
    for (ClaimedDelivery claim : claims) {
      waiting.computeIfAbsent(claim.webhookId(), id -> new ArrayDeque<>()).add(claim);
      limits.waits(claim);
    }
    waitingCount += claims.size();
  }

  /**
   * Webhooks that need no more claimed work for now: enough of theirs is waiting to keep their
   * slots busy through the next claim, or their project or destination has every slot it may have
   * and enough claims waiting to fill them again ({@link ConcurrencyLimits#tenantOrHostSaturated}).
   * Passing them over lets a claim reach other webhooks' work behind a large backlog, and keeps one
   * tenant's claims from filling the room.
   */
  synchronized Set<UUID> saturatedWebhooks() {
    Set<UUID> saturated = new HashSet<>();
    waiting.forEach(
        (webhook, claims) -> {
          if (saturated(claims)) {
            saturated.add(webhook);
          }
        });
    return saturated;
  }

  /**
   * Whether a claim now could take what the last could not: the room has space for a claim of
   * {@link #MIN_CLAIM}, and one of the webhooks that claim passed over, if any, is no longer
   * saturated.
   */
  synchronized boolean admitsMoreBeside(Set<UUID> passedOver) {
    if (room() < MIN_CLAIM) {
      return false;
    }
    if (passedOver.isEmpty()) {
      return true;
    }
    for (UUID webhook : passedOver) {
      Deque<ClaimedDelivery> claims = waiting.get(webhook);
      if (claims == null || !saturated(claims)) {
        return true;
      }
    }
    return false;
  }

  private boolean saturated(Deque<ClaimedDelivery> claims) {
    return claims.size() >= perWebhook || limits.tenantOrHostSaturated(claims.peek());
  }

  /**
   * The waiting claims that may start now, one webhook after another, each with its slots taken: a
   * webhook served goes to the back of the line.
   */
  synchronized List<ClaimedDelivery> takeStartable() {
    List<ClaimedDelivery> starting = new ArrayList<>();
    boolean tookAny = true;
    while (tookAny && freeSlots > 0) {
      tookAny = false;
      for (UUID webhook : List.copyOf(waiting.keySet())) {
        ClaimedDelivery next = waiting.get(webhook).peek();
        if (freeSlots == 0 || !limits.webhookHasRoom(next) || !limits.tenantAndHostHaveRoom(next)) {
          continue;
        }
        Deque<ClaimedDelivery> claims = waiting.remove(webhook);
        ClaimedDelivery claim = claims.poll();
        if (!claims.isEmpty()) {
          waiting.put(webhook, claims);
        }
        waitingCount--;
        freeSlots--;
        limits.stopsWaiting(claim);
        limits.take(claim);
        starting.add(claim);
        tookAny = true;
      }
    }
    return starting;
  }

  /** Gives back the slots a started claim took. */
  synchronized void free(ClaimedDelivery claim) {
    limits.give(claim);
    freeSlots++;
  }

  synchronized int slotsInUse() {
    return slots - freeSlots;
  }

  /** Takes the webhook's waiting claims that match out of the room, for them to go elsewhere. */
  synchronized List<ClaimedDelivery> withdraw(UUID webhookId, Predicate<ClaimedDelivery> which) {
    Deque<ClaimedDelivery> claims = waiting.get(webhookId);
    if (claims == null) {
      return List.of();
    }
    List<ClaimedDelivery> withdrawn = new ArrayList<>();
    claims.removeIf(
        claim -> {
          if (!which.test(claim)) {
            return false;
          }
          withdrawn.add(claim);
          limits.stopsWaiting(claim);
          return true;
        });
    if (claims.isEmpty()) {
      waiting.remove(webhookId);
    }
    waitingCount -= withdrawn.size();
    return withdrawn;
  }

  /** Forgets every waiting claim; their leases run out or are given back by whoever holds them. */
  synchronized void clear() {
    waiting.values().forEach(claims -> claims.forEach(limits::stopsWaiting));
    waiting.clear();
    waitingCount = 0;
  }
}
