package dev.herald.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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

  /** The plan for recording 32 of the pending deliveries as succeeded. */
  static String recordSuccessesPlan(DSLContext dsl) {
    List<UUID> ids =
        dsl.fetch("select id from deliveries where status = 'PENDING' limit 32").getValues(0, UUID.class);
    return dsl.connectionResult(
        connection -> {
          try (PreparedStatement explain = connection.prepareStatement("explain " + JooqDeliveryQueue.RECORD_SUCCESSES)) {
            new SqlArrays<>(explain, ids)
                .add("uuid", id -> id)
                .add("uuid", id -> id)
                .add("int", id -> 1)
                .addTimes(id -> Instant.now())
                .add("text", id -> "https://example.com")
                .addTimes(id -> Instant.now());
            StringBuilder lines = new StringBuilder();
            try (ResultSet rows = explain.executeQuery()) {
              while (rows.next()) {
                lines.append(rows.getString(1)).append('\n');
              }
            }
            return lines.toString();
          }
        });
  }
}
