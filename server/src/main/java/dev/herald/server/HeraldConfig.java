package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.delivery.DeliveryConfig;

/**
 * Everything Herald is configured with, one record per concern.
 *
 * @param grpcPort the port to serve on; 0 picks a free one
 * @param requireHttps whether webhook URLs must be https
 */
public record HeraldConfig(
    int grpcPort,
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
