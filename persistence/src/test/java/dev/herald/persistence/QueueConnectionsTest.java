package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DirectDispatch;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Oid;

/**
 * The delivery queue plans on indexes on connections of its own, the ingest writer rules out
 * sequential scans on its own, and the API's pool keeps the planner's defaults.
 */
class QueueConnectionsTest {
  private static EmbeddedPostgres postgres;
  private static final int RUNS = 12;
  private static Injector injector;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    QueueTables.migratedWithOneWebhook(postgres);
    injector = injector(postgres);
  }

  private static Injector injector(EmbeddedPostgres postgres) {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    return Guice.createInjector(
        new PersistenceModule(
            new DatabaseSettings(url, null, null, 2), new MasterKey(new byte[MasterKey.BYTES])),
        binder -> {
          binder.bind(DeliveryNotifier.class).toInstance(() -> {});
          binder.bind(DirectDispatch.class).toInstance(DirectDispatch.NONE);
          binder.bind(Clock.class).toInstance(Clock.systemUTC());
          binder.bind(PrometheusRegistry.class).toInstance(new PrometheusRegistry());
        });
  }

  @AfterAll
  static void stop() throws Exception {
    injector.getInstance(HikariDataSource.class).close();
    injector.getInstance(Key.get(HikariDataSource.class, QueueConnections.class)).close();
    injector.getInstance(Key.get(HikariDataSource.class, IngestConnections.class)).close();
    postgres.close();
  }

  @Test
  void everyQueueConnectionRulesOutSortsAndSequentialScans() throws SQLException {
    HikariDataSource queue =
        injector.getInstance(Key.get(HikariDataSource.class, QueueConnections.class));
    assertEquals(PostgresDeliveryQueue.CONNECTIONS, queue.getMaximumPoolSize());
    try (Connection first = queue.getConnection();
        Connection second = queue.getConnection()) {
      for (Connection connection : new Connection[] {first, second}) {
        assertEquals("off", setting(connection, "enable_seqscan"));
        assertEquals("off", setting(connection, "enable_sort"));
      }
    }
  }

  /**
   * Planned with its values, a record was planned anew on every run, at twice the cost of running
   * it: a plan for a batch of a few rows always looked cheaper than one for any batch.
   */
  @Test
  void aQueueConnectionPlansARecordOnceForAllItsRuns() throws SQLException {
    try (Connection connection = queueConnection()) {
      for (int run = 0; run < RUNS; run++) {
        try (PreparedStatement record =
            connection.prepareStatement(AttemptRecords.RECORD_ATTEMPTS)) {
          for (int parameter = 1; parameter <= 11; parameter++) {
            record.setString(parameter, "{}");
          }
          record.executeQuery().close();
        }
      }
      assertPlannedOnce(connection, "with outcome as");
    }
  }

  /** Planned on each run, the claim spent more of the database's time planning than claiming. */
  @Test
  void andAClaim() throws SQLException {
    try (Connection connection = queueConnection()) {
      connection.setAutoCommit(false);
      for (int run = 0; run < RUNS; run++) {
        Instant now = Instant.now();
        Claims.claim(
            connection,
            64,
            DeliveryQueue.ALL_DUE,
            now,
            now.plusSeconds(30),
            UUID.randomUUID(),
            Set.of());
        connection.rollback();
      }
      assertPlannedOnce(connection, "with leased as");
    }
  }

  private static Connection queueConnection() throws SQLException {
    return injector
        .getInstance(Key.get(HikariDataSource.class, QueueConnections.class))
        .getConnection();
  }

  /**
   * The statement starting with {@code opening} is prepared on the connection and its runs used the
   * plan kept.
   */
  private static void assertPlannedOnce(Connection connection, String opening) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select generic_plans, custom_plans from pg_prepared_statements where statement like ?")) {
      statement.setString(1, "%" + opening + "%");
      try (ResultSet plans = statement.executeQuery()) {
        assertTrue(plans.next(), opening + ": not prepared on the connection");
        assertTrue(plans.getLong(1) > 0, opening + ": no run used the kept plan");
        assertEquals(0, plans.getLong(2), opening + ": runs planned anew");
      }
    }
  }

  @Test
  void noneIsOpenBeforeTheQueueNeedsOne() {
    Injector unused = injector(postgres);
    HikariDataSource queue =
        unused.getInstance(Key.get(HikariDataSource.class, QueueConnections.class));
    try {
      assertEquals(0, queue.getHikariPoolMXBean().getTotalConnections());
    } finally {
      queue.close();
      unused.getInstance(HikariDataSource.class).close();
    }
  }

  /**
   * The ingest statement reads the queue for ordered lines, on connections of its own that rule out
   * sequential scans ({@link IngestIntoTablesAnalyzedWhileEmptyTest}), and keeps sorts and the
   * choice of plans by their values.
   */
  @Test
  void theIngestWritersConnectionsRuleOutSequentialScansAlone() throws SQLException {
    HikariDataSource ingest =
        injector.getInstance(Key.get(HikariDataSource.class, IngestConnections.class));
    assertEquals(PostgresEventRepository.CONNECTIONS, ingest.getMaximumPoolSize());
    try (Connection connection = ingest.getConnection()) {
      assertEquals("off", setting(connection, "enable_seqscan"));
      assertEquals("on", setting(connection, "enable_sort"));
      assertEquals("auto", setting(connection, "plan_cache_mode"));
    }
  }

  /** Every pool sends ids in binary ({@link UuidArray}). */
  @Test
  void everyPoolSendsIdsInBinary() throws SQLException {
    for (DataSource pool :
        List.of(
            injector.getInstance(DataSource.class),
            injector.getInstance(Key.get(HikariDataSource.class, QueueConnections.class)),
            injector.getInstance(Key.get(HikariDataSource.class, IngestConnections.class)))) {
      try (Connection connection = pool.getConnection()) {
        assertTrue(connection.unwrap(BaseConnection.class).binaryTransferSend(Oid.UUID_ARRAY));
      }
    }
  }

  @Test
  void theSharedPoolKeepsThePlannersDefaults() throws SQLException {
    try (Connection connection = injector.getInstance(DataSource.class).getConnection()) {
      assertEquals("on", setting(connection, "enable_seqscan"));
      assertEquals("on", setting(connection, "enable_sort"));
    }
  }

  /**
   * With a month of day partitions the claim's estimated cost passed {@code jit_above_cost}, and
   * compiling it took 260 ms of every claim on a PostgreSQL built with JIT; a page of a bot's
   * deliveries started parallel workers.
   */
  @Test
  void noConnectionCompilesStatementsJustInTimeOrStartsWorkers() throws SQLException {
    HikariDataSource queue =
        injector.getInstance(Key.get(HikariDataSource.class, QueueConnections.class));
    try (Connection shared = injector.getInstance(DataSource.class).getConnection();
        Connection ofTheQueue = queue.getConnection()) {
      for (Connection connection : new Connection[] {shared, ofTheQueue}) {
        assertEquals("off", setting(connection, "jit"));
        assertEquals("0", setting(connection, "max_parallel_workers_per_gather"));
      }
    }
  }

  private static String setting(Connection connection, String name) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("show " + name)) {
      row.next();
      return row.getString(1);
    }
  }
}
