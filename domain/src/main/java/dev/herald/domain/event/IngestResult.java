package dev.herald.domain.event;

import java.util.List;
import java.util.UUID;

/** What an ingestion stored, or, for a repeated event id, what the first one stored. */
public record IngestResult(String eventId, List<UUID> deliveryIds, boolean repeated) {
  public IngestResult {
    deliveryIds = List.copyOf(deliveryIds);
  }
}
