package dev.herald.domain.event;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.json.JsonValue;
import dev.herald.domain.webhook.Trigger;
import java.time.Instant;
import java.util.UUID;

/**
 * An accepted event. {@code eventId} is the caller's idempotency key, or one Herald made; {@code
 * id} is Herald's own key for it.
 */
public record Event(
    UUID id,
    String eventId,
    String projectId,
    String botId,
    Trigger trigger,
    JsonValue botMetadata,
    String oldState,
    String newState,
    String eventType,
    String eventSubType,
    Instant createdAt,
    Instant createTime) {

  public Event {
    requireNonNull(id, "id");
    requireNonNull(eventId, "eventId");
    requireNonNull(projectId, "projectId");
    requireNonNull(botId, "botId");
    requireNonNull(trigger, "trigger");
    requireNonNull(botMetadata, "botMetadata");
    requireNonNull(newState, "newState");
    requireNonNull(eventType, "eventType");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(createTime, "createTime");
  }
}
