package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription: where to POST which triggers of a project. With a {@code botId} it is bot-level
 * and only that bot's events reach it; {@code botId} is {@code null} otherwise. {@code
 * disabledReason} says why Herald itself deactivated it (410 Gone, too many failed deliveries).
 * {@code controls} are the subscriber's say over its deliveries.
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
    DeliveryControls controls) {

  public Webhook {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    requireNonNull(url, "url");
    triggers = List.copyOf(triggers);
    requireNonNull(createTime, "createTime");
    requireNonNull(updateTime, "updateTime");
    requireNonNull(controls, "controls");
  }

  /**
   * A webhook whose deliveries the subscriber does not control: every type, unordered, unlimited.
   */
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
        DeliveryControls.NONE);
  }

  /** Whether events of {@code eventType} reach it: its filter is empty or names the type. */
  public boolean wants(String eventType) {
    return controls.wants(eventType);
  }

  public boolean isBotLevel() {
    return botId != null;
  }

  public boolean subscribesTo(Trigger trigger) {
    return active && triggers.contains(trigger);
  }
}
