package dev.herald.domain.event;

import dev.herald.domain.json.JsonValue;
import java.time.Instant;

/**
 * An IngestStateChange request as the caller sent it, not yet validated. {@code oldState}, {@code
 * eventSubType}, {@code createdAt} and {@code eventId} may be {@code null}.
 */
public record StateChange(
    String projectId,
    String botId,
    JsonValue botMetadata,
    String oldState,
    String newState,
    String eventType,
    String eventSubType,
    Instant createdAt,
    String eventId) {}
