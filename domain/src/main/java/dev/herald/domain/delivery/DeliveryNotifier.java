package dev.herald.domain.delivery;

/** Told after new deliveries are committed, so they can be attempted without waiting for a poll. */
public interface DeliveryNotifier {
  void deliveriesCreated();
}
