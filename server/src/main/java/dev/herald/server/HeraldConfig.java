package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.domain.ProjectQuotas;

/**
 * Everything Herald is configured with, one record per concern.
 *
 * @param requireHttps whether webhook URLs must be https
 * @param quotas what one project may have at once
 */
public record HeraldConfig(
    boolean requireHttps,
    DatabaseConfig database,
    DeliveryConfig delivery,
    ApiConfig api,
    ProjectQuotas quotas) {

  public HeraldConfig {
    requireNonNull(quotas, "quotas");
    requireNonNull(database, "database");
    requireNonNull(delivery, "delivery");
    requireNonNull(api, "api");
  }
}
