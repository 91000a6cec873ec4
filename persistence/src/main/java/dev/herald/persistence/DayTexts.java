package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * One statement's text for the {@link Days} it reads, written again only when they change: once a
 * day, so the driver keeps one prepared statement, and PostgreSQL one plan, per day.
 */
final class DayTexts {
  private record Written(Days days, String text) {}

  private final Function<Days, String> writer;
  private volatile Written last;

  DayTexts(Function<Days, String> writer) {
    this.writer = requireNonNull(writer, "writer");
  }

  String of(Days days) {
    Written written = last;
    if (written == null || !written.days().equals(days)) {
      written = new Written(days, writer.apply(days));
      last = written;
    }
    return written.text();
  }
}
