package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

/** Where the database is. {@code user} and {@code password} may be null when the URL has them. */
public record DatabaseSettings(String jdbcUrl, String user, String password, int maxPoolSize) {
  public DatabaseSettings {
    requireNonNull(jdbcUrl, "jdbcUrl");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be positive");
    }
  }

  @Override
  public String toString() {
    return "DatabaseSettings[jdbcUrl=" + JdbcUrls.redact(jdbcUrl) + ", user=" + user + "]";
  }
}
