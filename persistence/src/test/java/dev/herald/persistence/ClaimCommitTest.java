package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a database whose commits wait for the disk, as Herald's do, a claim's commit does not: each
 * plain write in the same session syncs the write-ahead log, a run of claims hardly at all (the WAL
 * writer flushes them within its delay).
 */
class ClaimCommitTest {
  private static final int WRITES = 40;

  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void fill() throws IOException {
    postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .start();
    QueueTables.addDeliveries(
        QueueTables.migratedWithOneWebhook(postgres),
        WRITES,
        "'PENDING'",
        "now() - interval '1 minute'",
        "repeat('x', 300)");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void aClaimCommitsWithoutWaitingForTheDiskWhereAPlainWriteWaits() throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      long beforeWrites = walSyncs(connection);
      try (Statement statement = connection.createStatement()) {
        for (int i = 0; i < WRITES; i++) {
          statement.execute("update webhooks set update_time = now()");
        }
      }
      long plainWriteSyncs = walSyncs(connection) - beforeWrites;

      long beforeClaims = walSyncs(connection);
      Instant now = Instant.now();
      for (int i = 0; i < WRITES; i++) {
        Claims.Claimed claimed =
            Claims.claim(
                connection,
                1,
                now.minus(Duration.ofDays(1)),
                now,
                now.plus(Duration.ofMinutes(5)),
                UUID.randomUUID(),
                Set.of());
        assertEquals(1, claimed.rows().size(), "claim " + i);
      }
      long claimSyncs = walSyncs(connection) - beforeClaims;

      assertTrue(
          plainWriteSyncs >= WRITES * 3 / 4, plainWriteSyncs + " syncs for " + WRITES + " writes");
      assertTrue(claimSyncs < WRITES / 4, claimSyncs + " syncs for " + WRITES + " claims");
    }
  }

  /**
   * The server's count of WAL syncs, with this session's own counts reported first: a session
   * reports them when it goes idle, at most once a second unless asked to at once.
   */
  private static long walSyncs(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("select pg_stat_force_next_flush()");
      try (ResultSet rows = statement.executeQuery("select wal_sync from pg_stat_wal")) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
