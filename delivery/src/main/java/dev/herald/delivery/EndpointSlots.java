package dev.herald.delivery;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Attempts in flight per webhook, so that one slow endpoint cannot take every slot. */
final class EndpointSlots {
  private final int perEndpoint;
  private final Map<UUID, Integer> inFlight = new ConcurrentHashMap<>();

  EndpointSlots(int perEndpoint) {
    this.perEndpoint = perEndpoint;
  }

  void take(UUID webhookId) {
    inFlight.merge(webhookId, 1, Integer::sum);
  }

  void give(UUID webhookId) {
    inFlight.computeIfPresent(webhookId, (id, count) -> count == 1 ? null : count - 1);
  }

  boolean isFull(UUID webhookId) {
    return inFlight.getOrDefault(webhookId, 0) >= perEndpoint;
  }
}
