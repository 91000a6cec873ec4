package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Backlogs that an older server was making due a chunk at a time when it stopped go on after V25:
 * an unordered webhook's is claimed where it waits, an ordered webhook's lines' first deliveries
 * are due.
 */
class ReturningBacklogMigrationTest {
  private static final String UNORDERED = "00000000-0000-0000-0000-0000000000a1";
  private static final String ORDERED = "00000000-0000-0000-0000-0000000000a2";

  @Test
  void backlogsBeingLetGoGoOnTheNewWay() throws IOException {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Flyway.configure()
          .dataSource(postgres.getPostgresDatabase())
          .locations("classpath:db/migration")
          .target("24")
          .load()
          .migrate();
      DSLContext dsl = DSL.using(postgres.getPostgresDatabase(), SQLDialect.POSTGRES);
      // As an older server partitioned the days before today.
      for (String table : List.of("events", "deliveries", "delivery_attempts")) {
        dsl.execute(
            "create table %1$s_older partition of %1$s for values from (minvalue) to ('%2$s')"
                .formatted(table, Instant.now().truncatedTo(ChronoUnit.DAYS)));
      }
      for (String[] webhook : new String[][] {{UNORDERED, "UNORDERED"}, {ORDERED, "PER_BOT"}}) {
        dsl.execute(
            "insert into webhooks (id, project_id, url, triggers, active, create_time,"
                + " update_time, ordering, next_probe_time)"
                + " values (?::uuid, 'p', 'https://example.com', '{bot.state_change}', true,"
                + " now(), now(), ?, now() + interval '5 seconds')",
            webhook[0],
            webhook[1]);
      }
      // Two parked of the unordered webhook; the ordered one's two lines, two parked in each.
      dsl.execute(
          "with made as (select gen_random_uuid() id, w, bot, seq, date_trunc('day', now()) - interval '1 hour' + coalesce(seq, 0) * interval '1 ms' t"
              + " from (values (?::uuid, 'b', null::bigint), (?::uuid, 'b', null),"
              + " (?::uuid, 'x', 1), (?::uuid, 'x', 2), (?::uuid, 'y', 3), (?::uuid, 'y', 4))"
              + " as v(w, bot, seq)),"
              + " recorded as (insert into deliveries (id, event_id, webhook_id, project_id,"
              + " bot_id, idempotency_key, payload, create_time)"
              + " select id, gen_random_uuid(), w, 'p', bot, gen_random_uuid(), '{}', t from made)"
              + " insert into delivery_queue (delivery_id, webhook_id, bot_id, order_seq,"
              + " next_attempt_time, delivery_create_time)"
              + " select id, w, bot, seq, 'infinity', t from made",
          UNORDERED,
          UNORDERED,
          ORDERED,
          ORDERED,
          ORDERED,
          ORDERED);

      new SchemaMigrator(postgres.getPostgresDatabase()).migrate();

      assertEquals(
          List.of(UNORDERED),
          dsl.fetchValues("select webhook_id::text from returning_backlogs"),
          "the unordered webhook's backlog is claimed where it waits");
      assertEquals(
          List.of(1L, 3L),
          dsl.fetchValues(
              "select order_seq from delivery_queue where next_attempt_time < 'infinity'"
                  + " order by order_seq"),
          "each of the ordered webhook's lines has its first due, the rest wait in line");
      assertEquals(
          0, dsl.fetchCount(DSL.table("webhooks"), DSL.condition("next_probe_time is not null")));
    }
  }
}
