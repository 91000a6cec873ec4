package dev.herald.domain.delivery;

public enum DeliveryStatus {
  /** Waiting for its next attempt, or being attempted. */
  PENDING,
  /** A subscriber answered 2xx. */
  SUCCEEDED,
  /** Every attempt failed, or the webhook went away. */
  FAILED
}
