package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recording a batch of successes when the statistics were taken just after the queue emptied, as
 * they usually are: the queue's pages are there, its rows were not, and every read of it looks like
 * one row. Each queue row's lease token must still be looked up by the row's place in the batch:
 * joined to the outcomes, each of 128 rows scanned all 128 of them (16,256 rows removed by the
 * join's filter, most of the record's time in the benchmark's drain). The same holds for a batch of
 * retries and for a renewal of leases.
 */
class RecordPlanAfterTheQueueEmptiedTest {
  private static EmbeddedPostgres postgres;
  private static DSLContext dsl;

  @BeforeAll
  static void fill() throws IOException {
    postgres = QueueTables.startedWithoutAutovacuum();
    dsl = QueueTables.migratedWithOneWebhook(postgres);
    QueueTables.addDeliveries(dsl, 20_000, "'PENDING'", "now()", "'{}'");
    dsl.execute("delete from delivery_queue");
    QueueTables.analyze(dsl);
    QueueTables.addDeliveries(dsl, 128, "'PENDING'", "now()", "'{}'");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void eachRowsLeaseTokenIsLookedUpWithoutScanningTheBatch() throws SQLException {
    String plan =
        planRunOn128Leased(
            AttemptRecords.RECORD_ATTEMPTS, RecordPlanAfterTheQueueEmptiedTest::successesOf);
    assertTrue(plan.contains("Delete on delivery_queue q (actual rows=128"), plan);
    assertFalse(plan.contains("Rows Removed by Join Filter"), plan);
  }

  @Test
  void eachRetrysRowIsFoundWithoutScanningTheBatch() throws SQLException {
    String plan =
        planRunOn128Leased(
            AttemptRecords.RECORD_RETRIES, RecordPlanAfterTheQueueEmptiedTest::retriesOf);
    assertTrue(plan.contains("Update on delivery_queue q (actual rows=128"), plan);
    assertFalse(plan.contains("Rows Removed by Join Filter"), plan);
  }

  @Test
  void eachRenewedLeaseIsFoundWithoutScanningTheBatch() throws SQLException {
    String plan =
        planRunOn128Leased(Leases.RENEW_LEASES, RecordPlanAfterTheQueueEmptiedTest::renewalsOf);
    assertTrue(plan.contains("LockRows (actual rows=128"), plan);
    assertFalse(plan.contains("Rows Removed by Join Filter"), plan);
  }

  /**
   * Leases 128 queue rows, runs {@code sql} on its generic plan with the arguments {@code
   * argumentsFor} makes of them (each row's id and token), and rolls it all back: the plan run.
   */
  private static String planRunOn128Leased(String sql, Function<List<UUID[]>, String> argumentsFor)
      throws SQLException {
    try (Connection connection = QueueTables.queueSession(postgres)) {
      connection.setAutoCommit(false);
      List<UUID[]> held = leaseSome(connection, 128);
      String plan = QueueTables.genericPlanRun(connection, sql, argumentsFor.apply(held));
      connection.rollback();
      return plan;
    }
  }

  /** Gives {@code count} queue rows lease tokens; each row's id and token. */
  private static List<UUID[]> leaseSome(Connection connection, int count) throws SQLException {
    List<UUID[]> held = new ArrayList<>();
    try (ResultSet rows =
        connection
            .createStatement()
            .executeQuery(
                "update delivery_queue set lease_token = gen_random_uuid() where delivery_id in"
                    + " (select delivery_id from delivery_queue limit "
                    + count
                    + ") returning delivery_id, lease_token")) {
      while (rows.next()) {
        held.add(new UUID[] {rows.getObject(1, UUID.class), rows.getObject(2, UUID.class)});
      }
    }
    return held;
  }

  /** {@link AttemptRecords#RECORD_ATTEMPTS}'s arguments, as SQL literals, for a success of each. */
  private static String successesOf(List<UUID[]> held) {
    int n = held.size();
    String now = Instant.now().toString();
    return String.join(
        ", ",
        array(held.stream().map(row -> row[0].toString()).toList()),
        array(Collections.nCopies(n, now)),
        array(held.stream().map(row -> row[1].toString()).toList()),
        array(Collections.nCopies(n, "1")),
        array(Collections.nCopies(n, "1")),
        array(Collections.nCopies(n, now)),
        array(Collections.nCopies(n, "5")),
        array(Collections.nCopies(n, "204")),
        array(Collections.nCopies(n, "")),
        array(Collections.nCopies(n, "")),
        array(Collections.nCopies(n, "t")));
  }

  /** {@link AttemptRecords#RECORD_RETRIES}'s arguments, as SQL literals, for a retry of each. */
  private static String retriesOf(List<UUID[]> held) {
    int n = held.size();
    List<String> ids = held.stream().map(row -> row[0].toString()).toList();
    return String.join(
        ", ",
        array(ids),
        array(held.stream().map(row -> row[1].toString()).toList()),
        array(Collections.nCopies(n, "1")),
        array(Collections.nCopies(n, Instant.now().plusSeconds(60).toString())));
  }

  /** {@link Leases#RENEW_LEASES}'s arguments, as SQL literals, renewing each for 30 s. */
  private static String renewalsOf(List<UUID[]> held) {
    return String.join(
        ", ",
        array(held.stream().map(row -> row[0].toString()).toList()),
        array(held.stream().map(row -> row[1].toString()).toList()),
        "'" + Instant.now().plusSeconds(30) + "'");
  }

  private static String array(List<String> elements) {
    return elements.stream().map(e -> '"' + e + '"').collect(Collectors.joining(",", "'{", "}'"));
  }
}
