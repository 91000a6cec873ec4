package dev.herald.delivery;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The base of the unit tests' queues: one whose webhooks are never found, so that no endpoint is
 * ever paused. Pauses are tested against PostgreSQL, in the integration tests.
 */
abstract class QueueWithoutPauses implements DeliveryQueue {
  @Override
  public Optional<Instant> pauseEndpoint(
      UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
    return Optional.empty();
  }

  @Override
  public boolean resumeEndpoint(UUID webhookId, Instant now) {
    return false;
  }

  @Override
  public int releaseProbes(Instant now, Duration probeLease) {
    return 0;
  }

  @Override
  public Set<UUID> park(List<ClaimedDelivery> claims, Instant now) {
    return claims.stream().map(ClaimedDelivery::webhookId).collect(Collectors.toSet());
  }
}
