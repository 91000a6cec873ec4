package dev.herald.persistence;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * PostgreSQL array literals, for statements that cast a parameter to an array ({@code ?::uuid[]}).
 * Written here rather than by the driver's {@code createArrayOf}, which quotes and copies every
 * element a character at a time: a tenth of the ingest threads' time in a profile of the
 * benchmark's sweep. Ids, numbers, times and booleans print as they are; text is quoted, its quotes
 * and backslashes escaped, and copied in runs.
 */
final class ArrayLiterals {
  private ArrayLiterals() {}

  /** The literal of {@code values}, each a UUID, Number, Instant, Boolean, String or null. */
  static String of(List<?> values) {
    StringBuilder literal = new StringBuilder(values.size() * 40 + 2).append('{');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        literal.append(',');
      }
      append(literal, values.get(i));
    }
    return literal.append('}').toString();
  }

  private static void append(StringBuilder literal, Object value) {
    if (value == null) {
      literal.append("NULL");
    } else if (value instanceof String text) {
      appendQuoted(literal, text);
    } else if (value instanceof Instant time) {
      DateTimeFormatter.ISO_INSTANT.formatTo(time, literal);
    } else if (value instanceof Boolean truth) {
      literal.append(truth ? 't' : 'f');
    } else if (value instanceof UUID || value instanceof Number) {
      literal.append(value);
    } else {
      throw new IllegalArgumentException("no array literal for a " + value.getClass().getName());
    }
  }

  private static void appendQuoted(StringBuilder literal, String text) {
    literal.append('"');
    int run = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        literal.append(text, run, i).append('\\');
        run = i;
      }
    }
    literal.append(text, run, text.length()).append('"');
  }
}
