package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.RetryPolicy;
import java.time.Duration;

/**
 * How the dispatcher works.
 *
 * @param timeout the limit for one whole attempt: connecting, sending and reading the response
 * @param concurrency attempts in flight at once in this process
 * @param pollInterval how often to look for due deliveries when nothing wakes the dispatcher
 * @param allowPrivateNetworks whether webhook URLs may point at loopback or private addresses
 * @param enabled whether this process delivers at all; false makes an ingest-and-API-only node
 */
public record DeliveryConfig(
    boolean enabled,
    Duration timeout,
    int concurrency,
    Duration pollInterval,
    boolean allowPrivateNetworks,
    RetryPolicy retryPolicy) {

  public DeliveryConfig {
    requireNonNull(timeout, "timeout");
    requireNonNull(pollInterval, "pollInterval");
    requireNonNull(retryPolicy, "retryPolicy");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be positive");
    }
  }

  /**
   * How long a claim holds a delivery. Longer than any live attempt can take, so a slow attempt
   * is never claimed by a second worker; short enough that a crashed worker's deliveries are
   * picked up again within a minute or so.
   */
  public Duration lease() {
    return timeout.multipliedBy(2).plusSeconds(30);
  }
}
