package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A claim beside a returning backlog of 100,000 reads the first of it by the parked index, in its
 * order, whatever the statistics say: sorting the backlog for each claim would cost what the whole
 * backlog costs. Asking whether the backlog is done, once a second, reads one of it.
 */
class ReturningBacklogPlanTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 100_000, "'PENDING'", "'infinity'", "'{}'");
    dsl.execute(
        "insert into returning_backlogs (webhook_id, return_time)"
            + " values ('00000000-0000-0000-0000-000000000001', now())");
    QueueTables.analyze(dsl);
    dsl.execute("analyze returning_backlogs");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimReadsTheBacklogInTheParkedIndexsOrder() throws SQLException {
    assertReadInOrder(plan(QueueTables::customPlan));
  }

  @Test
  void soDoesAGenericPlan() throws SQLException {
    assertReadInOrder(plan(QueueTables::genericPlan));
  }

  @Test
  void askingWhetherTheBacklogIsDoneReadsOneParkedDelivery() {
    String plan =
        String.join("\n", dsl.fetch("explain " + Probes.BACKLOGS_DONE).getValues(0, String.class));
    assertTrue(plan.contains("Index Scan using delivery_queue_parked"), plan);
    assertFalse(plan.contains("delivery_queue_due"), plan);
    assertFalse(plan.contains("Hash"), plan);
    assertEquals(
        List.of("returning_backlogs"), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  private static void assertReadInOrder(String plan) {
    assertTrue(plan.contains("delivery_queue_parked"), plan);
    assertFalse(plan.contains("Sort"), plan);
    // The endpoints coming back at the moment, read whole: a handful of rows.
    assertEquals(
        List.of("returning_backlogs"), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  private static String plan(QueueTables.Planner planner) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return planner.plan(connection, QueueTables.claimText(128), QueueTables.claimArguments());
    }
  }
}
