package dev.herald.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every violation of a request before failing, so a caller learns about all bad fields at
 * once rather than one per round trip.
 */
public final class Violations {
  private final List<FieldViolation> found = new ArrayList<>();

  public Violations add(String field, String description) {
    found.add(new FieldViolation(field, description));
    return this;
  }

  /** Requires 1 to {@code maxLength} visible ASCII characters, as ids and names have. */
  public Violations requireToken(String field, String value, int maxLength) {
    if (value == null || value.isEmpty()) {
      return add(field, "is required");
    }
    return checkToken(field, value, maxLength);
  }

  /** Like {@link #requireToken} but lets {@code null} or empty through. */
  public Violations optionalToken(String field, String value, int maxLength) {
    if (value == null || value.isEmpty()) {
      return this;
    }
    return checkToken(field, value, maxLength);
  }

  /** Free text: any characters but control characters, at most {@code maxLength} of them. */
  public Violations optionalText(String field, String value, int maxLength) {
    if (value == null) {
      return this;
    }
    if (value.length() > maxLength) {
      return add(field, "must be at most " + maxLength + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      return add(field, "must not contain control characters");
    }
    return this;
  }

  private Violations checkToken(String field, String value, int maxLength) {
    if (value.length() > maxLength) {
      return add(field, "must be at most " + maxLength + " characters");
    }
    if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return add(field, "must be visible ASCII characters without spaces");
    }
    return this;
  }

  /** Throws {@link InvalidArgumentException} with everything found, if anything was. */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      throw new InvalidArgumentException(found);
    }
  }
}
