package dev.herald.domain.webhook;

import java.util.List;

/**
 * A CreateWebhook request as the caller sent it, not yet validated; a null {@code ordering} is
 * unordered, a null or zero {@code maxRequestsPerSecond} no limit.
 */
public record NewWebhook(
    String projectId,
    String botId,
    String url,
    List<String> triggers,
    List<String> eventTypes,
    Ordering ordering,
    Integer maxRequestsPerSecond) {
  public NewWebhook {
    triggers = triggers == null ? List.of() : List.copyOf(triggers);
    eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
  }
}
