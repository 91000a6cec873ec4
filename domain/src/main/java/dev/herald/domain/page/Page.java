package dev.herald.domain.page;

import java.util.List;
import java.util.Optional;

/** Rows of one page, and the cursor to continue from when more may follow. */
public record Page<T>(List<T> items, Optional<PageCursor> next) {
  public Page {
    items = List.copyOf(items);
  }

  public String nextPageToken() {
    return next.map(PageCursor::encode).orElse("");
  }
}
