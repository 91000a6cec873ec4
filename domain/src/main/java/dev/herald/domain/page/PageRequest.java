package dev.herald.domain.page;

import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Limits;
import java.util.Optional;

/** One page of a list: how many rows, and after which row. */
public record PageRequest(int size, Optional<PageCursor> after) {

  public PageRequest {
    if (size < 1 || size > Limits.MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("page size out of range: " + size);
    }
  }

  /**
   * Reads the API's {@code page_size} and {@code page_token}: 0 means the default, anything above
   * the maximum is lowered to it, a negative size or a foreign token is refused.
   */
  public static PageRequest of(int pageSize, String pageToken) {
    if (pageSize < 0) {
      throw InvalidArgumentException.of("page_size", "must not be negative");
    }
    int size = pageSize == 0 ? Limits.DEFAULT_PAGE_SIZE : Math.min(pageSize, Limits.MAX_PAGE_SIZE);
    Optional<PageCursor> after =
        pageToken == null || pageToken.isEmpty()
            ? Optional.empty()
            : Optional.of(PageCursor.decode(pageToken));
    return new PageRequest(size, after);
  }
}
