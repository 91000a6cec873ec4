package dev.herald.delivery;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.time.Instant;
import java.util.UUID;

/** Claims for tests: fresh ids, an empty body and one zero key, nothing attempted yet. */
final class TestClaims {
  private TestClaims() {}

  static ClaimedDelivery claim(UUID webhook, String project, String url) {
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
        java.util.OptionalInt.empty());
  }
}
