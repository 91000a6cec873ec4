package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.testing.Eventually;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An idle server costs its database a few transactions a second, not a polling storm. Counted by
 * PostgreSQL itself ({@code pg_stat_database}), so every connection is seen: the API's pool, the
 * queue's own pool the dispatcher claims on, and the listening connection.
 */
class IdleIT {
  private static final long WINDOW_SECONDS = 10;

  /**
   * Measured at 12 a second: each poll (one a second) claims and looks for the next due time, and
   * the pool checks each of those connections first, having sat idle; the health probe every 2 s
   * and the queue's figures every 5 s add the rest. A dispatcher polling 20 times a second makes
   * 40.
   */
  private static final long MOST_PER_SECOND = 15;

  /** Backends report their counts at most a second late; their start is counted by then. */
  private static final long SETTLE_SECONDS = 3;

  /** {@code HERALD_DATABASE_POOL_SIZE}'s default, which the pool opens after start. */
  private static final int API_POOL = 20;

  @Test
  void anIdleServerCostsItsDatabaseAFewTransactionsASecond() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_DELIVERY_POLL_INTERVAL_MS"); // the production default
    long idle = transactionsWhileIdle(settings);
    System.out.printf("idle server: %d transactions in %d s%n", idle, WINDOW_SECONDS);
    assertTrue(
        idle <= MOST_PER_SECOND * WINDOW_SECONDS,
        idle + " transactions in " + WINDOW_SECONDS + " s");
  }

  /** The count can fail: a dispatcher polling 20 times a second is caught by it. */
  @Test
  void aDispatcherThatPollsTooOftenIsSeen() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_POLL_INTERVAL_MS", "50");
    long busy = transactionsWhileIdle(settings);
    System.out.printf(
        "server polling every 50 ms: %d transactions in %d s%n", busy, WINDOW_SECONDS);
    assertTrue(
        busy > MOST_PER_SECOND * WINDOW_SECONDS,
        busy + " transactions in " + WINDOW_SECONDS + " s");
  }

  /** Transactions in the server's database over the window, after one delivery has gone out. */
  private static long transactionsWhileIdle(Map<String, String> settings) throws Exception {
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http();
        Connection observer = DriverManager.getConnection(herald.jdbcUrl)) {
      herald.webhooks().createWebhook(Requests.webhook("proj-idle", receiver.url("/idle")));
      herald.ingestion().ingestStateChange(Requests.stateChange("proj-idle", "bot").build());
      receiver.awaitRequests("/idle", 1, HeraldFixture.WAIT);
      // Each connection's start commits transactions of its own: a pool still opening its
      // connections after start is not what an idle server costs.
      Eventually.until(
          "the API pool to open its " + API_POOL + " connections",
          () -> connections(observer) > API_POOL);
      TimeUnit.SECONDS.sleep(SETTLE_SECONDS); // the last connections' start, counted late
      long before = transactions(observer);
      TimeUnit.SECONDS.sleep(WINDOW_SECONDS); // the measured window itself, not a wait for a state
      long after = transactions(observer);
      return after - before - 1; // the observer's own read between the two counts
    }
  }

  /** Sessions open on the current database, the observer's own included. */
  private static long connections(Connection observer) {
    try (Statement statement = observer.createStatement();
        ResultSet row =
            statement.executeQuery(
                "select count(*) from pg_stat_activity where datname = current_database()")) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Committed and rolled back transactions of the current database so far. Backends report their
   * counts when they go idle, at most a second late: the window is long beside that.
   */
  private static long transactions(Connection observer) throws SQLException {
    try (Statement statement = observer.createStatement()) {
      statement.execute("select pg_stat_clear_snapshot()");
      try (ResultSet row =
          statement.executeQuery(
              "select xact_commit + xact_rollback from pg_stat_database where datname = current_database()")) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}
