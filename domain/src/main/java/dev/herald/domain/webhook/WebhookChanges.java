package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An UpdateWebhook request: absent fields, and an empty trigger list, keep their value; event types
 * given (an empty list included, meaning every type) replace the webhook's; a rate of zero removes
 * the limit.
 */
public record WebhookChanges(
    UUID id,
    Optional<String> url,
    List<String> triggers,
    Optional<Boolean> active,
    Optional<List<String>> eventTypes,
    Optional<Ordering> ordering,
    Optional<Integer> maxRequestsPerSecond) {
  public WebhookChanges {
    requireNonNull(id, "id");
    requireNonNull(url, "url");
    triggers = List.copyOf(triggers);
    requireNonNull(active, "active");
    requireNonNull(eventTypes, "eventTypes");
    requireNonNull(ordering, "ordering");
    requireNonNull(maxRequestsPerSecond, "maxRequestsPerSecond");
  }
}
