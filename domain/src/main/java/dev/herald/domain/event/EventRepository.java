package dev.herald.domain.event;

import dev.herald.domain.webhook.Webhook;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Stored events and the deliveries made from them. */
public interface EventRepository {

  /**
   * Loads the live webhooks that may match {@code event} (at least the project's, and its bot's;
   * others may be among them, and the fan-out, the one owner of the rule, passes them over), then
   * stores, all or nothing, the event and the deliveries {@code fanOut} makes of them, unless the
   * project already has an event with its event id. A webhook changed between the two steps is
   * taken as it was loaded. A repeated event id stores nothing and returns what the first ingestion
   * stored. The result completes once the event is committed, possibly on another thread, where
   * what depends on it then runs; the calling thread is not held waiting for other callers' work.
   */
  CompletableFuture<IngestResult> recordOnce(
      Event event, Function<List<Webhook>, List<NewDelivery>> fanOut);
}
