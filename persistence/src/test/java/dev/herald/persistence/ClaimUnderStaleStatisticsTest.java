package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jooq.DSLContext;
import org.jooq.ResultQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backlog that arrives before autoanalyze has looked: the statistics say the table holds one
 * finished delivery and an empty queue, the tables hold 50,000 due ones. The claim must still
 * read the due index, lease by primary key and join by primary key.
 */
class ClaimUnderStaleStatisticsTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().setServerConfig("autovacuum", "off").start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 1, "'SUCCEEDED'", "null", "repeat('x', 300)");
    QueueTables.analyze(dsl);
    QueueTables.addDeliveries(dsl, 50_000, "'PENDING'", "now() - interval '1 minute'", "repeat('x', 300)");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimWalksTheDueIndexAndUpdatesByKey() {
    String plan = inClaimTransaction((tx, claim) -> tx.explain(claim).plan());
    assertTrue(plan.contains("Index Scan using delivery_queue_due"), plan);
    assertTrue(plan.contains("delivery_queue_pkey"), plan);
    assertTrue(plan.contains("deliveries_pkey"), plan);
    assertFalse(plan.contains("Sort"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
  }

  @Test
  void andTakesAFullBatch() {
    assertEquals(128, (int) inClaimTransaction((tx, claim) -> claim.fetch().size()));
  }

  /**
   * Runs {@code use} on a claim of 128 in a session set up as the queue's connections are, then
   * rolls it all back.
   */
  private static <T> T inClaimTransaction(BiFunction<DSLContext, ResultQuery<?>, T> use) {
    Instant now = Instant.now();
    return dsl.transactionResult(
        transaction -> {
          DSLContext tx = transaction.dsl();
          tx.execute(JooqDeliveryQueue.INDEX_PLANS);
          T result = use.apply(tx, JooqDeliveryQueue.claim(tx, 128, now, now.plusSeconds(30), UUID.randomUUID(), Set.of()));
          tx.rollback().execute();
          return result;
        });
  }
}
