package dev.herald.domain;

import java.util.UUID;

/** Herald's own resource ids are UUIDs; anything else names no resource. */
public final class Ids {
  private Ids() {}

  public static UUID parse(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw InvalidArgumentException.of(field, "is required");
    }
    try {
      if (value.length() != 36) {
        throw new IllegalArgumentException("not canonical");
      }
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw InvalidArgumentException.of(field, "must be a UUID");
    }
  }
}
