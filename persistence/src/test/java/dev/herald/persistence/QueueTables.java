package dev.herald.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A migrated database with one webhook and one event, and deliveries to them made in bulk. */
final class QueueTables {
  private QueueTables() {}

  static DSLContext migratedWithOneWebhook(EmbeddedPostgres postgres) {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
    DSLContext dsl = DSL.using(postgres.getPostgresDatabase(), SQLDialect.POSTGRES);
    dsl.execute(
        "insert into webhooks (id, project_id, url, triggers, active, create_time, update_time) "
            + "values ('00000000-0000-0000-0000-000000000001', 'p', 'https://example.com', '{bot.state_change}', true, now(), now())");
    dsl.execute(
        "insert into events (id, project_id, event_id, bot_id, trigger, new_state, event_type, created_at, create_time) "
            + "values ('00000000-0000-0000-0000-000000000002', 'p', 'e', 'b', 'bot.state_change', 'ended', 't', now(), now())");
    return dsl;
  }

  /**
   * Adds {@code count} deliveries; {@code status} and {@code due} are SQL expressions, which may
   * use {@code i}, the row's number from 1.
   */
  static void addDeliveries(DSLContext dsl, int count, String status, String due, String payload) {
    dsl.execute(
        "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, trigger, idempotency_key, url, payload, "
            + "status, next_attempt_time, create_time) "
            + "select gen_random_uuid(), '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', "
            + "'p', 'b', 'bot.state_change', gen_random_uuid(), 'https://example.com', " + payload + ", "
            + status + ", " + due + ", now() from generate_series(1, " + count + ") i");
  }
}
