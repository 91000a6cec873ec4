package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Where a delivery goes after an attempt. */
public sealed interface NextStep {

  record Succeed() implements NextStep {}

  record RetryAt(Instant time) implements NextStep {
    public RetryAt {
      requireNonNull(time, "time");
    }
  }

  /** No attempts left. */
  record Fail() implements NextStep {}

  /**
   * The receiver asked never to be called again (410 Gone): this delivery fails, the webhook is
   * disabled with {@code reason} and its other pending deliveries end.
   */
  record DisableWebhook(String reason) implements NextStep {
    public DisableWebhook {
      requireNonNull(reason, "reason");
    }
  }
}
