package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitsTest {
  private final ConcurrencyLimits limits = new ConcurrencyLimits(2, 3, 4);

  @Test
  void aWebhookHasRoomUpToItsOwnLimit() {
    UUID webhook = UUID.randomUUID();
    limits.take(claim(webhook, "a", "https://one.example/"));
    assertTrue(limits.webhookHasRoom(claim(webhook, "a", "https://one.example/")));
    limits.take(claim(webhook, "a", "https://one.example/"));
    assertFalse(limits.webhookHasRoom(claim(webhook, "a", "https://one.example/")));
    assertTrue(limits.webhookHasRoom(claim(UUID.randomUUID(), "a", "https://one.example/")));
  }

  @Test
  void aProjectsWebhooksShareTheProjectsLimit() {
    for (int i = 0; i < 3; i++) {
      limits.take(claim(UUID.randomUUID(), "greedy", "https://host-" + i + ".example/"));
    }
    assertFalse(
        limits.tenantAndHostHaveRoom(claim(UUID.randomUUID(), "greedy", "https://fresh.example/")));
    assertTrue(
        limits.tenantAndHostHaveRoom(claim(UUID.randomUUID(), "polite", "https://fresh.example/")));
  }

  @Test
  void projectsShareADestinationsLimitAndItsPortTellsDestinationsApart() {
    for (int i = 0; i < 4; i++) {
      limits.take(claim(UUID.randomUUID(), "project-" + i, "https://Shared.example/hook-" + i));
    }
    assertFalse(
        limits.tenantAndHostHaveRoom(
            claim(UUID.randomUUID(), "another", "https://shared.example:443/x")));
    assertTrue(
        limits.tenantAndHostHaveRoom(
            claim(UUID.randomUUID(), "another", "https://shared.example:8443/x")));
    assertTrue(
        limits.tenantAndHostHaveRoom(
            claim(UUID.randomUUID(), "another", "http://shared.example/x")));
  }

  @Test
  void givingBackFreesEveryLimitAgain() {
    ClaimedDelivery claim = claim(UUID.randomUUID(), "p", "https://h.example/");
    ConcurrencyLimits tight = new ConcurrencyLimits(1, 1, 1);
    tight.take(claim);
    assertFalse(tight.webhookHasRoom(claim));
    assertFalse(tight.tenantAndHostHaveRoom(claim));
    tight.give(claim);
    assertTrue(tight.webhookHasRoom(claim));
    assertTrue(tight.tenantAndHostHaveRoom(claim));
    assertEquals("h.example:443", ConcurrencyLimits.destination(claim));
  }

  private static ClaimedDelivery claim(UUID webhook, String project, String url) {
    return TestClaims.claim(webhook, project, url);
  }
}
