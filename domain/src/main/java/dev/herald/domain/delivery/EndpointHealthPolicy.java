package dev.herald.domain.delivery;

import java.util.Optional;

/**
 * When to stop sending to an endpoint that keeps failing: after {@code
 * disableAfterFailedDeliveries} deliveries in a row end FAILED (0 means never). A success resets
 * the count.
 */
public record EndpointHealthPolicy(int disableAfterFailedDeliveries) {
  public EndpointHealthPolicy {
    if (disableAfterFailedDeliveries < 0) {
      throw new IllegalArgumentException("disableAfterFailedDeliveries must not be negative");
    }
  }

  public static EndpointHealthPolicy never() {
    return new EndpointHealthPolicy(0);
  }

  /** Why the webhook is disabled after {@code consecutiveFailedDeliveries}, if it is. */
  public Optional<String> disableReason(int consecutiveFailedDeliveries) {
    if (disableAfterFailedDeliveries == 0
        || consecutiveFailedDeliveries < disableAfterFailedDeliveries) {
      return Optional.empty();
    }
    return Optional.of(consecutiveFailedDeliveries + " deliveries in a row failed");
  }
}
