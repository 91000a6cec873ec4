package dev.herald.domain.webhook;

/** Whether a webhook's deliveries of one bot wait for each other. */
public enum Ordering {
  /** Every delivery is attempted as soon as it is due, whatever else is pending. */
  UNORDERED,
  /**
   * A bot's next delivery to the webhook is attempted only once the one acknowledged before it has
   * ended: succeeded, or failed for good.
   */
  PER_BOT
}
