package dev.herald.domain.access;

import static java.util.Objects.requireNonNull;

/** A new key and its token, which is handed out this once and never stored. */
public record CreatedApiKey(ApiKey key, String token) {
  public CreatedApiKey {
    requireNonNull(key, "key");
    requireNonNull(token, "token");
  }

  @Override
  public String toString() {
    return "CreatedApiKey[key=" + key + ", token=<redacted>]";
  }
}
