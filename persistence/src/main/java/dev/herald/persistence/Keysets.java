package dev.herald.persistence;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Turns "one row more than asked for" into a page and the cursor that continues it. */
final class Keysets {
  private Keysets() {}

  static <T> Page<T> page(List<T> rowsPlusOne, int size, Function<T, PageCursor> cursorOf) {
    if (rowsPlusOne.size() <= size) {
      return new Page<>(rowsPlusOne, Optional.empty());
    }
    List<T> rows = rowsPlusOne.subList(0, size);
    return new Page<>(rows, Optional.of(cursorOf.apply(rows.get(size - 1))));
  }
}
