package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue empties whenever delivery keeps up, and autoanalyze may take its statistics just
 * then; a backlog of 150,000 can follow before it looks again. Planned generically on those
 * statistics, in a session set up as the queue's connections are, recording and renewal still
 * reach the queue by key: joined to the batch alone, the record walked the whole key index once
 * per batch (6 s at 150,000 rows).
 */
class QueueStatisticsFromAnEmptyTableTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void fill() throws IOException {
    // Autovacuum off: its analyze would bring the statistics up to date under the test.
    postgres = EmbeddedPostgres.builder().setServerConfig("autovacuum", "off").start();
    DSLContext dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 1_000, "'PENDING'", "now()", "'{}'");
    dsl.execute("delete from delivery_queue");
    QueueTables.analyze(dsl);
    QueueTables.addDeliveries(dsl, 150_000, "'PENDING'", "now()", "'{}'");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void recordingFindsTheQueueRowsByKey() throws SQLException {
    String plan = genericPlan(JooqDeliveryQueue.RECORD_ATTEMPTS, 11);
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
    assertTrue(plan.contains("(id = ANY"), plan);
  }

  @Test
  void renewalFindsTheQueueRowsByKey() throws SQLException {
    String plan = genericPlan(JooqDeliveryQueue.RENEW_LEASES, 3);
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
    assertTrue(
        plan.lines().filter(line -> line.contains("delivery_queue_pkey")).count()
            == plan.lines().filter(line -> line.contains("Index Cond: (delivery_id = ANY")).count(),
        plan);
  }

  /** The plan PostgreSQL keeps for the statement once prepared, whatever its parameters. */
  private static String genericPlan(String sql, int parameters) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(JooqDeliveryQueue.INDEX_PLANS);
      statement.execute("set plan_cache_mode = force_generic_plan");
      statement.execute("prepare queued as " + QueueTables.numbered(sql));
      StringBuilder nulls = new StringBuilder("null");
      for (int i = 1; i < parameters; i++) {
        nulls.append(", null");
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet rows = statement.executeQuery("explain execute queued(" + nulls + ")")) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }
}
