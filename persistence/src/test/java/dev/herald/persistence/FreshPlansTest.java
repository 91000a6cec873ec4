package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A queue connection's plans made while the day was empty are remade a second after it opened, and
 * then probe the day's deliveries by key.
 */
class FreshPlansTest {
  private static final String PROBE = "Index Cond: ((id = h.id) AND (create_time = h.create_time))";

  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void migrate() throws IOException {
    postgres = EmbeddedPostgres.builder().setServerConfig("autovacuum", "off").start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.analyze(dsl);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void aPlanMadeOnAnEmptyDayIsRemadeOnceItsTimeHasPassed() throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setDataSource(postgres.getPostgresDatabase());
    config.setMaximumPoolSize(1);
    config.setConnectionInitSql(PostgresDeliveryQueue.INDEX_PLANS);
    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now.get();
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    try (HikariDataSource pool = new HikariDataSource(config)) {
      FreshPlans connections = new FreshPlans(pool, clock);
      try (Connection connection = connections.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("set plan_cache_mode = force_generic_plan");
        statement.execute(
            "prepare recorded as " + QueueTables.numbered(AttemptRecords.RECORD_ATTEMPTS));
        assertFalse(plan(connection).contains(PROBE), "made on an empty day: " + plan(connection));
      }
      QueueTables.addDeliveries(
          dsl, 50_000, "'PENDING'", "now() - interval '1 minute'", "repeat('x', 300)");

      now.set(now.get().plusMillis(900));
      try (Connection connection = connections.getConnection()) {
        assertFalse(plan(connection).contains(PROBE), "kept within its time");
      }
      now.set(now.get().plusMillis(100));
      try (Connection connection = connections.getConnection()) {
        String plan = plan(connection);
        assertTrue(plan.contains(PROBE), "remade for the day as it is now:\n" + plan);
      }
    }
  }

  @Test
  void plansAreRemadeWhileTheDayIsSmallAndGrowingAndForEachNewDay() {
    LocalDate day = LocalDate.parse("2026-11-30");
    FreshPlans.Planned empty = new FreshPlans.Planned(day, 0, Instant.EPOCH);
    assertFalse(empty.staleFor(day, 8192), "one page more is not growth");
    assertTrue(empty.staleFor(day, 16384));
    FreshPlans.Planned small = new FreshPlans.Planned(day, 100_000, Instant.EPOCH);
    assertFalse(small.staleFor(day, 150_000));
    assertTrue(small.staleFor(day, 200_000));
    FreshPlans.Planned large = new FreshPlans.Planned(day, FreshPlans.SMALL, Instant.EPOCH);
    assertFalse(large.staleFor(day, 100 * FreshPlans.SMALL), "a large day's plans are kept");
    assertTrue(large.staleFor(day.plusDays(1), 0), "a new day starts empty");
  }

  private static String plan(Connection connection) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "explain execute recorded("
                    + String.join(", ", Collections.nCopies(12, "null"))
                    + ")")) {
      while (rows.next()) {
        plan.append(rows.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
