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

  /**
   * A row queued by ingest names its event (V26), and the claim reads it from the event alone: the
   * look-up of its delivery, a probe of the day's index of deliveries and a heap page for each row,
   * is never run. Each delivery has an event of its own, as in a real backlog: sharing one, the
   * look-ups could be memoized into one.
   */
  @Test
  void aRowNamingItsEventIsClaimedWithoutLookingItsDeliveryUp() throws SQLException {
    String plan;
    try (Connection connection = QueueTables.queueSession(postgres)) {
      connection.setAutoCommit(false);
      connection
          .createStatement()
          .execute(
              "with event as (insert into events (id, project_id, event_id, bot_id, create_time)"
                  + " select gen_random_uuid(), 'p', 'e' || i, 'b', now()"
                  + " from generate_series(1, 16) i returning id, create_time),"
                  + " made as (insert into deliveries (id, event_id, webhook_id, project_id, bot_id,"
                  + " create_time) select gen_random_uuid(), e.id,"
                  + " '00000000-0000-0000-0000-000000000001', 'p', 'b', e.create_time"
                  + " from event e returning id, event_id, webhook_id, create_time)"
                  + " insert into delivery_queue (delivery_id, webhook_id, next_attempt_time,"
                  + " delivery_create_time, event_id) select id, webhook_id, now() - interval '1 day',"
                  + " create_time, event_id from made");
      plan =
          QueueTables.genericPlanRun(
              connection, QueueTables.claimText(16), QueueTables.claimArguments());
      connection.rollback();
    }
    assertTrue(
        plan.lines()
            .anyMatch(
                line -> line.contains("Update on delivery_queue") && line.contains("rows=16 ")),
        plan);
    List<String> deliveryScans =
        plan.lines().filter(line -> line.contains("Index Scan using deliveries_")).toList();
    assertFalse(deliveryScans.isEmpty(), plan);
    assertTrue(deliveryScans.stream().allMatch(line -> line.endsWith("(never executed)")), plan);
    assertTrue(
        plan.lines()
            .anyMatch(
                line ->
                    line.contains("Index Scan using events_") && line.contains("rows=1 loops=16")),
        plan);
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
