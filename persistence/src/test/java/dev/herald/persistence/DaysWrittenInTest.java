package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With a month of day partitions, the plans the claim and the ingest keep for any values name only
 * the days written into their texts ({@link Days}), and none is pruned as the statement starts:
 * PostgreSQL 17 and before lock every partition of a kept plan before that pruning.
 */
class DaysWrittenInTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void aMonthOfPartitions() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    QueueTables.migratedWithOneWebhook(postgres);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int back = 30; back >= 1; back -= Retention.DAYS_AHEAD + 1) {
      Retention.prepareDays(
          postgres.getPostgresDatabase(),
          today.minusDays(back).atTime(12, 0).toInstant(ZoneOffset.UTC));
    }
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void theClaimsKeptPlanReadsYesterdayTodayAndTomorrowOnly() throws SQLException {
    Instant now = Instant.now();
    String plan = keptPlan(Claims.text(128, Days.around(now)), QueueTables.claimArguments());
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    for (String table : List.of("deliveries", "events")) {
      assertEquals(
          Set.of(
              Partitions.nameOf(table, today.minusDays(1)),
              Partitions.nameOf(table, today),
              Partitions.nameOf(table, today.plusDays(1))),
          partitionsOf(table, plan),
          plan);
    }
    assertFalse(plan.contains("Subplans Removed"), plan);
  }

  @Test
  void theIngestsKeptPlanLooksForKnownEventsInTheDayBeforeOnly() throws SQLException {
    Instant now = Instant.now();
    String plan =
        keptPlan(
            IngestStatement.text(Days.before(now, now)),
            "-1, " + "'{}', ".repeat(14) + "null, null, 'channel', 'origin', false");
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    assertEquals(
        Set.of(Partitions.nameOf("events", today.minusDays(1))),
        partitionsOf("events", plan),
        plan);
    assertFalse(plan.contains("Subplans Removed"), plan);
  }

  /** The plan PostgreSQL keeps for {@code sql} for any values, shown for {@code arguments}. */
  private static String keptPlan(String sql, String arguments) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return QueueTables.genericPlan(connection, sql, arguments);
    }
  }

  /** The partitions of {@code table} the plan names. */
  private static Set<String> partitionsOf(String table, String plan) {
    Set<String> partitions = new TreeSet<>();
    Matcher partition = Pattern.compile("\\b" + table + "_\\d{8}\\b").matcher(plan);
    while (partition.find()) {
      partitions.add(partition.group());
    }
    return partitions;
  }
}
