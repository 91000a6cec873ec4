package dev.herald.persistence;

import dev.herald.domain.event.Event;
import dev.herald.domain.event.NewDelivery;
import dev.herald.domain.event.PayloadBuilder;
import dev.herald.domain.webhook.Webhook;
import java.util.List;
import java.util.function.Function;

/**
 * An event waiting to be written, with its stored body made on the caller's thread: the one writer
 * does only what must be done in turn. {@code fanOut} picks its deliveries among the webhooks the
 * batch is planned on.
 */
record Ingestion(
    Event event,
    String bodyTemplate,
    byte[] packedBody,
    Function<List<Webhook>, List<NewDelivery>> fanOut) {
  Ingestion(Event event, Function<List<Webhook>, List<NewDelivery>> fanOut) {
    this(event, PayloadBuilder.template(event), fanOut);
  }

  private Ingestion(
      Event event, String bodyTemplate, Function<List<Webhook>, List<NewDelivery>> fanOut) {
    this(event, bodyTemplate, PackedBodies.pack(bodyTemplate), fanOut);
  }
}
