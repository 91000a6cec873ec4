package dev.herald.domain.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.domain.InvalidArgumentException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PageRequestTest {

  @Test
  void cursorsSurviveTheirTokenToTheMicrosecond() {
    PageCursor cursor =
        new PageCursor(Instant.parse("2026-03-04T05:06:07.123456Z"), UUID.randomUUID());
    assertEquals(cursor, PageCursor.decode(cursor.encode()));
  }

  @Test
  void defaultsAndCapsThePageSize() {
    assertEquals(50, PageRequest.of(0, "").size());
    assertEquals(200, PageRequest.of(5000, "").size());
    assertEquals(Optional.empty(), PageRequest.of(10, "").after());
  }

  @Test
  void refusesANegativeSizeAndForeignTokens() {
    assertEquals("page_size", field(() -> PageRequest.of(-1, "")));
    assertEquals("page_token", field(() -> PageRequest.of(10, "not a token")));
    assertEquals("page_token", field(() -> PageRequest.of(10, "MjpmOng")));
    assertEquals("page_token", field(() -> PageRequest.of(10, "A".repeat(100_000))));
  }

  private static String field(Runnable call) {
    return assertThrows(InvalidArgumentException.class, call::run).violations().get(0).field();
  }
}
