package dev.herald.domain.event;

import dev.herald.domain.webhook.Webhook;
import java.util.List;
import java.util.function.Function;

/** Stored events and the deliveries made from them. */
public interface EventRepository {

  /**
   * In one transaction: stores {@code event} unless the project already has one with its event id;
   * loads live webhooks that may match it (at least the project's, and its bot's; others may be
   * among them, and the fan-out, the one owner of the rule, passes them over); stores the
   * deliveries {@code fanOut} makes of them. A repeated event id stores nothing and returns what
   * the first ingestion stored.
   */
  IngestResult recordOnce(Event event, Function<List<Webhook>, List<NewDelivery>> fanOut);
}
