package dev.herald.delivery;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;

/** Claims for tests: fresh ids, an empty body and one zero key, nothing attempted yet. */
final class TestClaims {
  private TestClaims() {}

  static ClaimedDelivery claim(UUID webhook, String project, String url) {
    return claim(webhook, project, url, OptionalInt.empty());
  }

  /**
   * A paused endpoint's probe: the one delivery of its backlog let go to ask whether it is back.
   */
  static ClaimedDelivery probe(UUID webhook, String url) {
    return claim(webhook, "proj", url, OptionalInt.empty(), true);
  }

  /** A claim of a webhook limited to {@code perSecond} requests a second. */
  static ClaimedDelivery limited(UUID webhook, int perSecond) {
    return claim(webhook, "proj", "http://localhost/limited", OptionalInt.of(perSecond));
  }

  private static ClaimedDelivery claim(
      UUID webhook, String project, String url, OptionalInt maxRequestsPerSecond) {
    return claim(webhook, project, url, maxRequestsPerSecond, false);
  }

  private static ClaimedDelivery claim(
      UUID webhook, String project, String url, OptionalInt maxRequestsPerSecond, boolean probe) {
    return new ClaimedDelivery(
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.randomUUID(),
        webhook,
        project,
        "bot",
        url,
        "{}",
        0,
        0,
        dev.herald.testing.TestSigning.hmacOnly("proj"),
        Instant.now(),
        false,
        maxRequestsPerSecond,
        probe);
  }
}
