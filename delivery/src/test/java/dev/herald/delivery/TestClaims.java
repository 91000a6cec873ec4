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

  /** A claim of a webhook limited to {@code perSecond} requests a second. */
  static ClaimedDelivery limited(UUID webhook, int perSecond) {
    return claim(webhook, "proj", "http://localhost/limited", OptionalInt.of(perSecond));
  }

  private static ClaimedDelivery claim(
      UUID webhook, String project, String url, OptionalInt maxRequestsPerSecond) {
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
        false);
  }
}
