package dev.herald.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryQueryServiceTest {
  private static final PageCursor MORE = new PageCursor(Instant.EPOCH, UUID.randomUUID());

  @Test
  void aPageWithinTheLimitIsLeftAsItIs() {
    Page<Delivery> page = new Page<>(List.of(delivery(10), delivery(10)), Optional.of(MORE));
    assertSame(page, DeliveryQueryService.withinCharacters(page, 20));
  }

  @Test
  void aPageOverTheLimitEndsAfterTheLastDeliveryWithinItAndGoesOnFromThere() {
    Delivery first = delivery(10);
    Delivery second = delivery(10);
    Page<Delivery> cut =
        DeliveryQueryService.withinCharacters(
            new Page<>(List.of(first, second, delivery(10)), Optional.empty()), 25);
    assertEquals(List.of(first, second), cut.items());
    assertEquals(Optional.of(new PageCursor(second.createTime(), second.id())), cut.next());
  }

  @Test
  void aSingleDeliveryOverTheLimitStillMakesAPage() {
    Delivery huge = delivery(100);
    Page<Delivery> cut =
        DeliveryQueryService.withinCharacters(
            new Page<>(List.of(huge, delivery(1)), Optional.empty()), 10);
    assertEquals(List.of(huge), cut.items());
  }

  private static Delivery delivery(int payloadCharacters) {
    return new Delivery(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "event",
        UUID.randomUUID(),
        "project",
        "bot",
        "bot.state_change",
        "https://example.com/",
        DeliveryStatus.PENDING,
        0,
        List.of(),
        "x".repeat(payloadCharacters),
        Instant.parse("2026-01-01T00:00:00Z"),
        null,
        null,
        null,
        null,
        false);
  }
}
