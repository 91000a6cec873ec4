package dev.herald.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/** Databases as an older Herald left them, for the tests that migrate them in place. */
final class OlderSchemas {
  private OlderSchemas() {}

  /** A fresh database migrated up to {@code version} and no further. */
  static String databaseAt(String version) {
    String url = TestDatabases.freshDatabaseUrl();
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration")
        .target(version)
        .load()
        .migrate();
    return url;
  }

  /**
   * The days' partitions an older server made: one of each partitioned table, named with {@code
   * suffix}, holding all before today.
   */
  static void partitionAllBeforeToday(Connection connection, String suffix) throws SQLException {
    for (String table : new String[] {"events", "deliveries", "delivery_attempts"}) {
      Sql.execute(
          connection,
          ("create table %1$s_%3$s partition of %1$s for values from (minvalue) to ('%2$s')")
              .formatted(table, Instant.now().truncatedTo(ChronoUnit.DAYS), suffix));
    }
  }

  /** An active webhook of {@code project} to {@code url} for state changes, made {@code at}. */
  static void insertWebhook(
      Connection connection, UUID webhook, String project, String url, Instant at)
      throws SQLException {
    Sql.execute(
        connection,
        "insert into webhooks (id, project_id, url, triggers, active, create_time, update_time)"
            + " values (?, ?, ?, '{bot.state_change}', true, ?, ?)",
        webhook,
        project,
        url,
        Timestamp.from(at),
        Timestamp.from(at));
  }
}
