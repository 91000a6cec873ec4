package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.delivery.DeliveryConfig;

/**
 * Everything Herald is configured with, one record per concern.
 *
 * @param requireHttps whether webhook URLs must be https
 */
public record HeraldConfig(
    boolean requireHttps,
    DatabaseConfig database,
    DeliveryConfig delivery,
    ApiConfig api) {

  public HeraldConfig {
    requireNonNull(database, "database");
    requireNonNull(delivery, "delivery");
    requireNonNull(api, "api");
  }
}
