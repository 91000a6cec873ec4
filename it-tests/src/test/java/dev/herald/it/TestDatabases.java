package dev.herald.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh, empty database for each server under test: in the PostgreSQL named by {@code
 * HERALD_TEST_DATABASE_URL} when set (CI's second pass), otherwise in one embedded PostgreSQL
 * shared by the test JVM.
 */
final class TestDatabases {
  static final String EXTERNAL_URL = System.getenv("HERALD_TEST_DATABASE_URL");
  private static final Pattern DATABASE_IN_URL =
      Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");
  private static EmbeddedPostgres embedded;

  private TestDatabases() {}

  static boolean usingExternal() {
    return EXTERNAL_URL != null && !EXTERNAL_URL.isBlank();
  }

  /** A database beside the test databases, for statements about them (as their owner). */
  static String adminUrl() {
    return usingExternal() ? EXTERNAL_URL : embedded().getJdbcUrl("postgres", "postgres");
  }

  static String freshDatabaseUrl() {
    String name = "herald_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String adminUrl = adminUrl();
    try (Connection connection = DriverManager.getConnection(adminUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    return withDatabase(adminUrl, name);
  }

  static String withDatabase(String jdbcUrl, String database) {
    Matcher matcher = DATABASE_IN_URL.matcher(jdbcUrl);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("expected jdbc:postgresql://host[:port]/database[?...]");
    }
    return matcher.group(1) + database + matcher.group(3);
  }

  private static synchronized EmbeddedPostgres embedded() {
    if (embedded == null) {
      try {
        // As Herald's own embedded database runs: the library's defaults skip waiting for the
        // WAL to reach the disk, and a benchmark on them measures commits no user gets.
        embedded =
            EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL for tests", e);
      }
    }
    return embedded;
  }
}
