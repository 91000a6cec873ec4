package dev.herald.api;

import dev.herald.domain.event.StateChange;
import dev.herald.domain.json.JsonValue;
import dev.herald.proto.v1.IngestStateChangeRequest;

final class StateChangeMapper {
  private static final StructMapper METADATA = new StructMapper("bot_metadata");

  private StateChangeMapper() {}

  static StateChange toDomain(IngestStateChangeRequest request) {
    return new StateChange(
        request.getProjectId(),
        request.getBotId(),
        request.hasBotMetadata() ? METADATA.toJson(request.getBotMetadata()) : JsonValue.NULL,
        request.getOldState(),
        request.getNewState(),
        request.getEventType(),
        request.hasEventSubType() ? request.getEventSubType() : null,
        request.hasCreatedAt() ? ProtoTimes.toInstant("created_at", request.getCreatedAt()) : null,
        request.hasEventId() ? request.getEventId() : null);
  }
}
