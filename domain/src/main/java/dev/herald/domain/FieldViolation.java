package dev.herald.domain;

import static java.util.Objects.requireNonNull;

/** One rejected request field: its name as the API spells it, and what is wrong with it. */
public record FieldViolation(String field, String description) {
  public FieldViolation {
    requireNonNull(field, "field");
    requireNonNull(description, "description");
  }
}
