package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A quiet moment: the queue is empty, a single delivery has ended, and the statistics say so;
 * then a burst to another webhook fills the tables before autoanalyze looks again. A claim plan
 * kept from the quiet moment reached the claimed deliveries through that webhook (every one of
 * its deliveries, on each claim): 96 ms a claim after 30 s at 1,000 events/s, and delivery fell
 * to 300/s. The benchmark's latency phase, run alone, starts from such statistics.
 */
class ClaimPlanOnAnEmptyQueueTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void fill() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    DSLContext dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 1, "'SUCCEEDED'", "null", "'{}'");
    QueueTables.analyze(dsl);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  /** Planned anew each time, so a plan made while the tables were small is not kept. */
  @Test
  void soNoPlanOfTheClaimIsKept() throws SQLException {
    try (Connection connection = queueSession()) {
      connection.setAutoCommit(false);
      for (int i = 0; i < 10; i++) {
        Instant now = Instant.now();
        JooqDeliveryQueue.claim(connection, 128, now, now.plusSeconds(30), UUID.randomUUID(), Set.of());
        connection.rollback();
      }
      try (ResultSet kept = connection.createStatement().executeQuery(
          "select count(*) from pg_prepared_statements where statement like '%with leased as%'")) {
        kept.next();
        assertEquals(0, kept.getInt(1), "claim statements prepared and kept on the connection");
      }
    }
  }

  private static Connection queueSession() throws SQLException {
    Connection connection = postgres.getPostgresDatabase().getConnection();
    connection.createStatement().execute(JooqDeliveryQueue.INDEX_PLANS);
    return connection;
  }
}
