package dev.herald.domain.access;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do. */
public enum Role {
  /** Everything within the key's scope: webhooks, signing secrets, API keys, and the rest. */
  ADMIN,
  /** IngestStateChange only. */
  INGEST,
  /** Webhooks and deliveries, read-only. Signing secrets are not readable with it. */
  READ;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWireName(String name) {
    for (Role role : values()) {
      if (role.wireName().equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
