package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.DeliveryQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backlog that arrives before autoanalyze has looked: the statistics say the table holds one
 * finished delivery and an empty queue, the tables hold 50,000 due ones. The queue empties whenever
 * delivery keeps up, so autoanalyze may well have looked just then. The claim must still read the
 * due index, lease by primary key and join by primary key; recording and renewal must reach the
 * queue by key in the plan they keep once prepared: joined to the batch alone, the record walked
 * the whole key index once per batch (6 s at 150,000 rows).
 */
class QueueUnderStaleStatisticsTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = QueueTables.startedWithoutAutovacuum();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 1, "'SUCCEEDED'", "null", "repeat('x', 300)");
    QueueTables.analyze(dsl);
    QueueTables.addDeliveries(
        dsl, 50_000, "'PENDING'", "now() - interval '1 minute'", "repeat('x', 300)");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimWalksTheDueIndexAndLeasesTheRowsWhereTheyLie() throws SQLException {
    String plan;
    try (Connection connection = QueueTables.queueSession(postgres)) {
      plan =
          QueueTables.genericPlan(
              connection, QueueTables.claimText(128), QueueTables.claimArguments());
    }
    assertTrue(plan.contains("Index Scan using delivery_queue_due"), plan);
    assertTrue(plan.contains("Tid Scan on delivery_queue"), plan);
    QueueTables.assertProbesByKey(plan);
    assertFalse(plan.contains("Sort"), plan);
    assertEquals(List.of(), QueueTables.seqScannedTablesWithRows(dsl, plan), plan);
  }

  @Test
  void andTakesAFullBatch() throws SQLException {
    Instant now = Instant.now();
    try (Connection connection = QueueTables.queueSession(postgres)) {
      connection.setAutoCommit(false);
      int claimed =
          Claims.claim(
                  connection,
                  128,
                  DeliveryQueue.ALL_DUE,
                  now,
                  now.plusSeconds(30),
                  UUID.randomUUID(),
                  Set.of())
              .rows()
              .size();
      connection.rollback();
      assertEquals(128, claimed);
    }
  }

  @Test
  void recordingFindsTheQueueRowsByKey() throws SQLException {
    String plan = genericPlanOnQueueConnection(AttemptRecords.RECORD_ATTEMPTS, 11);
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
  }

  @Test
  void recordingRetriesFindsTheQueueRowsByKey() throws SQLException {
    String plan = genericPlanOnQueueConnection(AttemptRecords.RECORD_RETRIES, 4);
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
    assertTrue(everyReadOfTheQueueKeyIsBoundedByTheBatch(plan), plan);
  }

  @Test
  void renewalFindsTheQueueRowsByKey() throws SQLException {
    String plan = genericPlanOnQueueConnection(Leases.RENEW_LEASES, 3);
    assertTrue(plan.contains("Index Cond: (delivery_id = ANY"), plan);
    assertTrue(everyReadOfTheQueueKeyIsBoundedByTheBatch(plan), plan);
  }

  /** Each scan of {@code delivery_queue_pkey} has an index condition naming the batch's ids. */
  private static boolean everyReadOfTheQueueKeyIsBoundedByTheBatch(String plan) {
    List<String> lines = plan.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("on delivery_queue_pkey")
          && (i + 1 == lines.size()
              || !lines.get(i + 1).matches("\\s*Index Cond: .*delivery_id = ANY.*"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The generic plan of {@code sql}, all parameters null, in a session set up as the queue's are.
   */
  private static String genericPlanOnQueueConnection(String sql, int parameters)
      throws SQLException {
    try (Connection connection = QueueTables.queueSession(postgres)) {
      return QueueTables.genericPlan(
          connection, sql, String.join(", ", Collections.nCopies(parameters, "null")));
    }
  }
}
