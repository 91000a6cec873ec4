package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.DeliveryQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A migrated database with one webhook and one event, and deliveries to them made in bulk. */
final class QueueTables {
  private QueueTables() {}

  /**
   * An embedded PostgreSQL whose statistics change only when a test analyzes: autovacuum off, so
   * that the stale statistics a test sets up are the ones its plans are made on.
   */
  static EmbeddedPostgres startedWithoutAutovacuum() throws IOException {
    return EmbeddedPostgres.builder().setServerConfig("autovacuum", "off").start();
  }

  static DSLContext migratedWithOneWebhook(EmbeddedPostgres postgres) {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
    DSLContext dsl = DSL.using(postgres.getPostgresDatabase(), SQLDialect.POSTGRES);
    dsl.execute(
        "insert into webhooks (id, project_id, url, triggers, active, create_time, update_time) "
            + "values ('00000000-0000-0000-0000-000000000001', 'p', 'https://example.com', '{bot.state_change}', true, now(), now())");
    dsl.execute(
        "insert into events (id, project_id, event_id, bot_id, create_time) "
            + "values ('00000000-0000-0000-0000-000000000002', 'p', 'e', 'b', now())");
    return dsl;
  }

  /**
   * Adds {@code count} deliveries, the pending ones in the queue, the failed ones ended so in their
   * rows; {@code status} and {@code due} (null unless pending) are SQL expressions, which may use
   * {@code i}, the row's number from 1.
   */
  static void addDeliveries(DSLContext dsl, int count, String status, String due, String payload) {
    dsl.execute(
        "with made as (select gen_random_uuid() id, "
            + status
            + " status, ("
            + due
            + ")::timestamptz due "
            + "from generate_series(1, "
            + count
            + ") i), "
            + "recorded as (insert into deliveries (id, event_id, webhook_id, project_id, bot_id, "
            + "idempotency_key, payload, status, create_time) "
            + "select id, '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', "
            + "'p', 'b', gen_random_uuid(), "
            + payload
            + ", case when status = 'FAILED' then status end, now() "
            + "from made) "
            + "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time, delivery_create_time) "
            + "select id, '00000000-0000-0000-0000-000000000001', due, now() from made where status = 'PENDING'");
  }

  /**
   * The tables {@code plan} reads sequentially that hold rows. The partitions of the days ahead,
   * empty, may be planned so at no cost; a run never reads them, as it prunes every partition but
   * the one its rows' creation time names.
   */
  static List<String> seqScannedTablesWithRows(DSLContext dsl, String plan) {
    return Pattern.compile("Seq Scan on (\\w+)")
        .matcher(plan)
        .results()
        .map(match -> match.group(1))
        .filter(table -> dsl.fetchExists(DSL.selectOne().from(DSL.table(DSL.name(table)))))
        .toList();
  }

  /** Brings the planner's statistics of both tables up to date. */
  static void analyze(DSLContext dsl) {
    dsl.execute("analyze deliveries");
    dsl.execute("analyze delivery_queue");
  }

  /** The plan for recording 32 of the pending deliveries as succeeded. */
  static String recordAttemptsPlan(DSLContext dsl) {
    List<UUID> ids =
        dsl.fetch("select delivery_id from delivery_queue limit 32").getValues(0, UUID.class);
    return dsl.connectionResult(
        connection -> {
          try (PreparedStatement explain =
              connection.prepareStatement("explain " + AttemptRecords.RECORD_ATTEMPTS)) {
            new SqlArrays<>(explain, ids)
                .add(id -> id)
                .add(id -> Instant.now())
                .add(id -> id)
                .add(id -> 1)
                .add(id -> 1)
                .add(id -> Instant.now())
                .add(id -> 5L)
                .add(id -> 204)
                .add(id -> "")
                .add(id -> "")
                .add(id -> true);
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

  /**
   * A connection to {@code postgres} set up as the queue's are ({@link
   * PostgresDeliveryQueue#INDEX_PLANS}).
   */
  static Connection queueSession(EmbeddedPostgres postgres) throws SQLException {
    Connection connection = postgres.getPostgresDatabase().getConnection();
    connection.createStatement().execute(PostgresDeliveryQueue.INDEX_PLANS);
    return connection;
  }

  /** Plans {@code sql} in a session: {@link #customPlan} or {@link #genericPlan}. */
  interface Planner {
    String plan(Connection connection, String sql, String arguments) throws SQLException;
  }

  /**
   * The plan PostgreSQL keeps for {@code sql} (JDBC placeholders) once it is prepared, made without
   * the parameters' values, in {@code connection}'s session; {@code arguments} are SQL literals
   * (empty for a statement without parameters).
   */
  static String genericPlan(Connection connection, String sql, String arguments)
      throws SQLException {
    return plan(connection, "force_generic_plan", sql, arguments);
  }

  /** The plan PostgreSQL makes for {@code sql} run with {@code arguments} (SQL literals). */
  static String customPlan(Connection connection, String sql, String arguments)
      throws SQLException {
    return plan(connection, "force_custom_plan", sql, arguments);
  }

  /** The claim of {@code max} rows, reading today's days. */
  static String claimText(int max) {
    return Claims.text(max, Days.around(Instant.now()));
  }

  /**
   * The claim's arguments as SQL literals: leased for 30 s from now, passing over {@code
   * busyWebhooks}.
   */
  static String claimArguments(UUID... busyWebhooks) {
    Instant now = Instant.now();
    String busy =
        Arrays.stream(busyWebhooks)
            .map(UUID::toString)
            .collect(Collectors.joining(",", "'{", "}'"));
    return String.join(
        ", ",
        "'" + now.plusSeconds(30) + "'",
        "'" + UUID.randomUUID() + "'",
        "'" + DeliveryQueue.ALL_DUE + "'",
        "'" + now + "'",
        "'" + now + "'",
        busy,
        "'" + now + "'",
        busy);
  }

  /**
   * Runs {@code sql} with {@code arguments} (SQL literals) on its generic plan, and returns that
   * plan with the rows each step produced and removed; the caller rolls back what it wrote.
   */
  static String genericPlanRun(Connection connection, String sql, String arguments)
      throws SQLException {
    return plan(
        connection,
        "force_generic_plan",
        "explain (analyze, costs off, timing off, summary off)",
        sql,
        arguments);
  }

  private static String plan(Connection connection, String mode, String sql, String arguments)
      throws SQLException {
    return plan(connection, mode, "explain", sql, arguments);
  }

  private static String plan(
      Connection connection, String mode, String explain, String sql, String arguments)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("set plan_cache_mode = " + mode);
      statement.execute("prepare planned as " + numbered(sql));
      StringBuilder plan = new StringBuilder();
      String execute = arguments.isEmpty() ? "planned" : "planned(" + arguments + ")";
      try (ResultSet rows = statement.executeQuery(explain + " execute " + execute)) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      statement.execute("deallocate planned");
      statement.execute("reset plan_cache_mode");
      return plan.toString();
    }
  }

  /** JDBC's {@code ?} placeholders as PostgreSQL's {@code $1, $2, ...}, for PREPARE. */
  static String numbered(String sql) {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char c : sql.toCharArray()) {
      if (c == '?') {
        numbered.append('$').append(++n);
      } else {
        numbered.append(c);
      }
    }
    return numbered.toString();
  }

  /**
   * Each index scan of a day's deliveries or events binds the index's first column: a probe, never
   * a walk of the whole index for a condition on its later columns.
   */
  static void assertProbesByKey(String plan) {
    List<String> lines = plan.lines().toList();
    int scans = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches(".*Index Scan using (deliveries|events)_\\d{8}_.*")) {
        scans++;
        assertTrue(
            i + 1 < lines.size()
                && lines.get(i + 1).matches("\\s*Index Cond: \\(+(id|webhook_id) = .*"),
            "a probe by the index's first column:\n" + plan);
      }
    }
    assertTrue(scans > 0, plan);
  }
}
