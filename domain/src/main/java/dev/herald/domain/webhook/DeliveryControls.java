package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.OptionalInt;

/**
 * What a subscriber controls of its webhook's deliveries: which event types reach it ({@code
 * eventTypes}, empty for every type), whether a bot's deliveries wait for each other ({@code
 * ordering}), and how many requests a second it takes at most ({@code maxRequestsPerSecond}, across
 * every server; empty for no limit).
 */
public record DeliveryControls(
    List<String> eventTypes, Ordering ordering, OptionalInt maxRequestsPerSecond) {
  public static final DeliveryControls NONE =
      new DeliveryControls(List.of(), Ordering.UNORDERED, OptionalInt.empty());

  public DeliveryControls {
    eventTypes = List.copyOf(eventTypes);
    requireNonNull(ordering, "ordering");
    requireNonNull(maxRequestsPerSecond, "maxRequestsPerSecond");
  }

  /** Whether events of {@code eventType} reach the webhook. */
  public boolean wants(String eventType) {
    return eventTypes.isEmpty() || eventTypes.contains(eventType);
  }

  public boolean ordered() {
    return ordering == Ordering.PER_BOT;
  }
}
