package dev.herald.delivery;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

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

  /** Webhooks with no slot left: the next claim passes over their deliveries. */
  Set<UUID> full() {
    return inFlight.entrySet().stream()
        .filter(entry -> entry.getValue() >= perEndpoint)
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }

  boolean isFull(UUID webhookId) {
    return inFlight.getOrDefault(webhookId, 0) >= perEndpoint;
  }
}
