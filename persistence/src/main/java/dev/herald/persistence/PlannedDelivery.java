package dev.herald.persistence;

import dev.herald.domain.event.Event;
import dev.herald.domain.event.NewDelivery;

/** A delivery planned for an event of an ingest batch, with the event's body to send. */
record PlannedDelivery(Event event, String bodyTemplate, NewDelivery delivery) {}
