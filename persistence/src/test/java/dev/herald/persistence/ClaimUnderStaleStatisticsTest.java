package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backlog that arrives before autoanalyze has looked: the statistics say the table holds one
 * finished delivery, the table holds 50,000 due ones. The claim must still read the due index
 * and update by primary key.
 */
class ClaimUnderStaleStatisticsTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    postgres = EmbeddedPostgres.builder().setServerConfig("autovacuum", "off").start();
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
    dsl = DSL.using(postgres.getPostgresDatabase(), SQLDialect.POSTGRES);
    dsl.execute(
        "insert into webhooks (id, project_id, url, triggers, active, create_time, update_time) "
            + "values ('00000000-0000-0000-0000-000000000001', 'p', 'https://example.com', '{bot.state_change}', true, now(), now())");
    dsl.execute(
        "insert into events (id, project_id, event_id, bot_id, trigger, new_state, event_type, created_at, create_time) "
            + "values ('00000000-0000-0000-0000-000000000002', 'p', 'e', 'b', 'bot.state_change', 'ended', 't', now(), now())");
    insertDeliveries(1, "'SUCCEEDED'", "null");
    dsl.execute("analyze deliveries");
    insertDeliveries(50_000, "'PENDING'", "now() - interval '1 minute'");
  }

  private static void insertDeliveries(int count, String status, String due) {
    dsl.execute(
        "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, trigger, idempotency_key, url, payload, "
            + "status, next_attempt_time, create_time) "
            + "select gen_random_uuid(), '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', "
            + "'p', 'b', 'bot.state_change', gen_random_uuid(), 'https://example.com', repeat('x', 300), "
            + status + ", " + due + ", now() from generate_series(1, " + count + ")");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimWalksTheDueIndexAndUpdatesByKey() {
    Instant now = Instant.now();
    String plan =
        dsl.transactionResult(
            transaction -> {
              DSLContext tx = transaction.dsl();
              JooqDeliveryQueue.readInDueOrder(tx);
              return tx.explain(JooqDeliveryQueue.claim(tx, 128, now, now.plusSeconds(30), UUID.randomUUID(), Set.of()))
                  .plan();
            });
    assertTrue(plan.contains("Index Scan using deliveries_due"), plan);
    assertTrue(plan.contains("deliveries_pkey"), plan);
    assertFalse(plan.contains("Sort"), plan);
    assertFalse(plan.contains("Seq Scan on deliveries"), plan);
    assertFalse(plan.contains("deliveries_by_webhook"), plan);
  }

  @Test
  void andTakesAFullBatch() {
    Instant now = Instant.now();
    int claimed =
        dsl.transactionResult(
            transaction -> {
              DSLContext tx = transaction.dsl();
              JooqDeliveryQueue.readInDueOrder(tx);
              int rows = JooqDeliveryQueue.claim(tx, 128, now, now.plusSeconds(30), UUID.randomUUID(), Set.of()).fetch().size();
              transaction.dsl().rollback().execute();
              return rows;
            });
    assertEquals(128, claimed);
  }
}
