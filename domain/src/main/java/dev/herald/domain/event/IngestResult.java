package dev.herald.domain.event;

import java.util.List;
import java.util.UUID;

/**
 * What an ingestion stored, or, for a repeated event id, what the first one stored. {@code queued}
 * says some of its deliveries wait in the queue for a claim: those handed to this server's
 * dispatcher as they were made ({@link dev.herald.domain.delivery.DirectDispatch}) do not.
 */
public record IngestResult(
    String eventId, List<UUID> deliveryIds, boolean repeated, boolean queued) {
  public IngestResult {
    deliveryIds = List.copyOf(deliveryIds);
  }

  /** Every delivery made waits for a claim. */
  public IngestResult(String eventId, List<UUID> deliveryIds, boolean repeated) {
    this(eventId, deliveryIds, repeated, !repeated && !deliveryIds.isEmpty());
  }
}
