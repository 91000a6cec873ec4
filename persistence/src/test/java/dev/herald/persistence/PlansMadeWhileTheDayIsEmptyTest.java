package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue's plans are made once per connection, often while the day's partition is empty: just
 * after midnight, or on a fresh server. Every index of an empty partition is one page, so reading
 * one whole costs the planner no more than a probe of its key. The plan of a claim or of a failed
 * end so made must still probe by key once the day holds many rows: walking {@code
 * deliveries_by_webhook} for each claimed delivery made a claim take seconds at 50,000 rows. (The
 * record of successes reads no delivery: V20.)
 */
class PlansMadeWhileTheDayIsEmptyTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void migrate() throws IOException {
    postgres = QueueTables.startedWithoutAutovacuum();
    DSLContext dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.analyze(dsl);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimProbesEachDeliveryByKey() throws SQLException {
    String plan;
    try (Connection connection = QueueTables.queueSession(postgres)) {
      plan =
          QueueTables.genericPlan(
              connection, QueueTables.claimText(128), QueueTables.claimArguments());
    }
    QueueTables.assertProbesByKey(plan);
  }

  @Test
  void aFailedEndProbesItsDeliveryByKey() throws SQLException {
    Query update =
        DSL.using(SQLDialect.POSTGRES)
            .update(DELIVERIES)
            .set(DELIVERIES.STATUS, "FAILED")
            .where(AttemptRecords.deliveryOf(UUID.randomUUID(), Instant.now(), UUID.randomUUID()));
    String plan;
    try (Connection connection = QueueTables.queueSession(postgres)) {
      plan =
          QueueTables.genericPlan(
              connection,
              update.getSQL(),
              update.getBindValues().stream()
                  .map(value -> "'" + value + "'")
                  .collect(Collectors.joining(", ")));
    }
    QueueTables.assertProbesByKey(plan);
  }
}
