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
}
