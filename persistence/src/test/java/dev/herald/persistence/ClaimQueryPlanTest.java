package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim stays an index read however large the tables grow: 100,000 deliveries, 20,000 of them
 * pending and 10,000 due.
 */
class ClaimQueryPlanTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    // Four in five are done; the rest are pending, half of those due now.
    QueueTables.addDeliveries(
        dsl,
        100_000,
        "case when i % 5 = 0 then 'PENDING' else 'SUCCEEDED' end",
        "case when i % 5 <> 0 then null when i % 10 = 0 then now() - interval '1 minute' else now() + interval '1 hour' end",
        "'{}'");
    QueueTables.analyze(dsl);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimReadsTheDueIndexNotTheTable() throws SQLException {
    String plan = claimPlan(QueueTables::customPlan, QueueTables.claimArguments());
    assertTrue(plan.contains("delivery_queue_due"), plan);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  @Test
  void soDoesTheClaimThatPassesOverBusyWebhooks() throws SQLException {
    String plan =
        claimPlan(
            QueueTables::customPlan,
            QueueTables.claimArguments(UUID.fromString("00000000-0000-0000-0000-0000000000ff")));
    assertTrue(plan.contains("delivery_queue_due"), plan);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  /**
   * A prepared statement may be run with a generic plan, made without the parameters' values; the
   * claim must not fall back to reading the whole table then.
   */
  @Test
  void theWholeClaimStaysOnIndexesUnderAGenericPlan() throws SQLException {
    String plan = claimPlan(QueueTables::genericPlan, QueueTables.claimArguments());
    assertTrue(plan.contains("delivery_queue_due"), plan);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  /**
   * The queue's statistics, read in the queue's own sessions, walk an index and stop at their cap:
   * a scrape stays cheap however long the queue grows.
   */
  @Test
  void theQueueStatisticsReadAnIndexNotTheTable() throws SQLException {
    String now = "'" + java.time.Instant.now() + "'";
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        java.sql.Statement session = connection.createStatement()) {
      session.execute(PostgresDeliveryQueue.INDEX_PLANS);
      String due =
          QueueTables.genericPlan(
              connection, QueueStatistics.DUE, String.join(", ", now, now, now, now));
      assertTrue(due.contains("delivery_queue_due"), due);
      assertFalse(due.contains("Seq Scan"), due);
      String scheduled = QueueTables.genericPlan(connection, QueueStatistics.SCHEDULED, now);
      assertTrue(scheduled.contains("delivery_queue_due"), scheduled);
      assertFalse(scheduled.contains("Seq Scan"), scheduled);
      String parked = QueueTables.genericPlan(connection, QueueStatistics.PARKED, "");
      assertTrue(parked.contains("using delivery_queue_"), parked);
      assertFalse(parked.contains("Seq Scan"), parked);
    }
  }

  /** The plan of a claim of 128, in a plain session: the statement alone keeps it on indexes. */
  private static String claimPlan(QueueTables.Planner planner, String arguments)
      throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return planner.plan(connection, QueueTables.claimText(128), arguments);
    }
  }

  @Test
  void recordingABatchOfSuccessesScansNoTable() {
    String plan = QueueTables.recordAttemptsPlan(dsl);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }
}
