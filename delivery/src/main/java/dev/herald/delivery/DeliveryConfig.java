package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.RetryPolicy;
import java.time.Duration;

/**
 * How the dispatcher works.
 *
 * @param enabled whether this process delivers at all; false makes an ingest-and-API-only node
 * @param timeout the limit for one whole attempt: connecting, sending and reading the response
 * @param concurrency attempts in flight at once in this process
 * @param perEndpointConcurrency attempts in flight at once to one webhook, so that one slow
 *     endpoint cannot take every slot
 * @param perProjectConcurrency attempts in flight at once for one project, whatever number of
 *     webhooks it has, so that one tenant cannot take every slot
 * @param perHostConcurrency attempts in flight at once to one destination (host and port),
 *     whichever projects' webhooks point there
 * @param pollInterval how often to look for due deliveries when nothing wakes the dispatcher
 * @param lease how long a claim holds a delivery; renewed while the attempt runs, so a crashed
 *     server's deliveries are due again within this time
 * @param allowPrivateNetworks whether webhook URLs may point at loopback or private addresses
 * @param endpointPause when an endpoint that fails every attempt is paused, and probed
 */
public record DeliveryConfig(
    boolean enabled,
    Duration timeout,
    int concurrency,
    int perEndpointConcurrency,
    int perProjectConcurrency,
    int perHostConcurrency,
    Duration pollInterval,
    Duration lease,
    boolean allowPrivateNetworks,
    RetryPolicy retryPolicy,
    EndpointHealthPolicy endpointHealth,
    EndpointPausePolicy endpointPause) {

  public DeliveryConfig {
    requireNonNull(timeout, "timeout");
    requireNonNull(pollInterval, "pollInterval");
    requireNonNull(lease, "lease");
    requireNonNull(retryPolicy, "retryPolicy");
    requireNonNull(endpointHealth, "endpointHealth");
    requireNonNull(endpointPause, "endpointPause");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (concurrency < 1
        || perEndpointConcurrency < 1
        || perProjectConcurrency < 1
        || perHostConcurrency < 1) {
      throw new IllegalArgumentException("concurrency must be positive");
    }
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("lease must be at least a second");
    }
  }

  /** Renewing at a third of the lease leaves two chances before a live attempt's lease runs out. */
  Duration leaseRenewal() {
    return lease.dividedBy(3);
  }
}
