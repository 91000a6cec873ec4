package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On small tables a sequential scan is the cheaper plan, and a prepared statement keeps that plan
 * while the tables grow: the queue's connections rule it out, and recording a batch on a small
 * table reaches the queue by key. (While the record joined the queue to its outcomes, the planner
 * left to itself read this table sequentially.)
 */
class RecordPlanOnASmallTableTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 100, "'PENDING'", "now()", "repeat('x', 300)");
    QueueTables.analyze(dsl);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void recordingFindsItsQueueRowsByKeyNonetheless() {
    String plan =
        dsl.transactionResult(
            transaction -> {
              transaction.dsl().execute(PostgresDeliveryQueue.INDEX_PLANS);
              return QueueTables.recordAttemptsPlan(transaction.dsl());
            });
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
    assertFalse(plan.matches("(?s).*deliveries_\\d{8}.*"), "a success writes no delivery: " + plan);
    assertTrue(plan.contains("delivery_queue_pkey"), plan);
  }
}
