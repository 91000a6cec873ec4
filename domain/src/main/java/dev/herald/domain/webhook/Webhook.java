package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription: where to POST which triggers of a project. With a {@code botId} it is bot-level
 * and only that bot's events reach it; {@code botId} is {@code null} otherwise. {@code
 * disabledReason} says why Herald itself deactivated it (410 Gone, too many failed deliveries).
 * {@code eventTypes}, when not empty, are the only event types it receives.
 */
public record Webhook(
    UUID id,
    String projectId,
    String botId,
    String url,
    List<Trigger> triggers,
    boolean active,
    String disabledReason,
    Instant createTime,
    Instant updateTime,
    List<String> eventTypes) {

  public Webhook {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    requireNonNull(url, "url");
    triggers = List.copyOf(triggers);
    requireNonNull(createTime, "createTime");
    requireNonNull(updateTime, "updateTime");
    eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
  }

  /** A webhook that receives every event type. */
  public Webhook(
      UUID id,
      String projectId,
      String botId,
      String url,
      List<Trigger> triggers,
      boolean active,
      String disabledReason,
      Instant createTime,
      Instant updateTime) {
    this(
        id,
        projectId,
        botId,
        url,
        triggers,
        active,
        disabledReason,
        createTime,
        updateTime,
        List.of());
  }

  /** Whether events of {@code eventType} reach it: its filter is empty or names the type. */
  public boolean wants(String eventType) {
    return eventTypes.isEmpty() || eventTypes.contains(eventType);
  }

  public boolean isBotLevel() {
    return botId != null;
  }

  public boolean subscribesTo(Trigger trigger) {
    return active && triggers.contains(trigger);
  }
}
