package dev.herald.domain;

import java.util.List;
import java.util.stream.Collectors;

/** A request broke a rule; nothing was stored. */
public final class InvalidArgumentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<FieldViolation> violations;

  public InvalidArgumentException(List<FieldViolation> violations) {
    super(describe(violations));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an invalid argument needs at least one violation");
    }
    this.violations = List.copyOf(violations);
  }

  public static InvalidArgumentException of(String field, String description) {
    return new InvalidArgumentException(List.of(new FieldViolation(field, description)));
  }

  public List<FieldViolation> violations() {
    return violations;
  }

  private static String describe(List<FieldViolation> violations) {
    return violations.stream()
        .map(v -> v.field() + ": " + v.description())
        .collect(Collectors.joining("; "));
  }
}
