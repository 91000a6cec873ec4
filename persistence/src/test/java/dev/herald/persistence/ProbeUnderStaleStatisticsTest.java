package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A probe let go from a backlog of 100,000 parked after the statistics were taken, when none was,
 * as when an endpoint goes down between two autoanalyzes: told parked rows are rare, the planner
 * would rather look for the chosen one among all of them than by key. (Which index finds the oldest
 * parked row is left to the statistics, as for a claim of a returning backlog.)
 */
class ProbeUnderStaleStatisticsTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    dsl.execute("alter table delivery_queue set (autovacuum_enabled = false)");
    QueueTables.addDeliveries(dsl, 100_000, "'PENDING'", "now()", "'{}'");
    QueueTables.analyze(dsl);
    dsl.execute("update delivery_queue set next_attempt_time = 'infinity'");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void aProbeIsLetGoByKey() throws SQLException {
    assertByKey(plan(QueueTables::customPlan));
  }

  @Test
  void soInAGenericPlan() throws SQLException {
    assertByKey(plan(QueueTables::genericPlan));
  }

  private static void assertByKey(String plan) {
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
    assertFalse(plan.contains("Filter: (delivery_id = ANY"), plan);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  private static String plan(QueueTables.Planner planner) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return planner.plan(
          connection,
          Pauses.LET_GO,
          "'" + Instant.now() + "', '00000000-0000-0000-0000-000000000001', 1");
    }
  }
}
