package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.UUID;

/** Which deliveries of a project to list. */
public record DeliveryFilter(
    String projectId,
    Optional<String> botId,
    Optional<UUID> webhookId,
    Optional<DeliveryStatus> status) {
  public DeliveryFilter {
    requireNonNull(projectId, "projectId");
    requireNonNull(botId, "botId");
    requireNonNull(webhookId, "webhookId");
    requireNonNull(status, "status");
  }
}
