package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A page's attempts find their URLs by key, however many URLs and days there are: 4,000 URLs, and
 * 20,000 attempts naming them by number (V23) over a month of partitions.
 */
class AttemptsReadPlanTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException, SQLException {
    postgres = EmbeddedPostgres.builder().start();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      Partitions.PartitionedTable attempts =
          Partitions.TABLES.stream()
              .filter(table -> table.name().equals("delivery_attempts"))
              .findFirst()
              .orElseThrow();
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      for (int back = 1; back <= 30; back++) {
        Partitions.addDay(
            connection,
            attempts,
            Partitions.list(connection).get("delivery_attempts"),
            today.minusDays(back));
      }
    }
    dsl.execute(
        "insert into attempt_urls (url)"
            + " select 'https://hooks-' || i || '.example/in' from generate_series(1, 4000) i");
    dsl.execute(
        "insert into delivery_attempts (delivery_id, attempt_number, url, url_id, start_time,"
            + " duration_ms, response_status_code, response_body, error, succeeded,"
            + " delivery_create_time)"
            + " select gen_random_uuid(), 1, '', 1 + i % 4000, now(), 5, 204, '', '', true,"
            + " now() - i * interval '2 minutes' from generate_series(1, 20000) i");
    dsl.execute("analyze attempt_urls");
    dsl.execute("analyze delivery_attempts");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void aPageOfFiftyReadsItsAttemptsUrlsByKey() throws SQLException {
    String arguments = pageOfFifty();
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      for (String plan :
          List.of(
              QueueTables.customPlan(connection, DeliveryRows.NEWEST_ATTEMPTS, arguments),
              QueueTables.genericPlan(connection, DeliveryRows.NEWEST_ATTEMPTS, arguments))) {
        assertTrue(plan.contains("attempt_urls_pkey"), plan);
        // Attempts partitions of a row or two may be scanned whole (the page spans midnight).
        assertFalse(plan.contains("Seq Scan on attempt_urls"), plan);
      }
    }
  }

  /** The newest 50 attempts' deliveries as the read's arguments: ids, times, their bounds. */
  private static String pageOfFifty() {
    Record page =
        dsl.fetchOne(
            "select array_agg(delivery_id)::text, array_agg(delivery_create_time)::text,"
                + " min(delivery_create_time)::text, max(delivery_create_time)::text"
                + " from (select delivery_id, delivery_create_time from delivery_attempts"
                + " order by delivery_create_time desc limit 50) newest");
    return String.join(
        ", ",
        "'" + page.get(0, String.class) + "'",
        "'" + page.get(1, String.class) + "'",
        "'" + page.get(2, String.class) + "'",
        "'" + page.get(3, String.class) + "'");
  }
}
