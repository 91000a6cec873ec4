package dev.herald.persistence;

import dev.herald.domain.delivery.DeliveryQueue;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The dispatcher's own claim and session settings, for the benchmark to time and explain them as
 * they run rather than a copy of them that drifts. Test code in the queue's package, since the
 * queue's statements are not part of any API.
 */
public final class DispatcherClaim {
  private DispatcherClaim() {}

  /** A connection to {@code url} set up as the dispatcher's are. */
  public static Connection connect(String url) throws SQLException {
    Properties options = new Properties();
    options.setProperty("options", PersistenceModule.SESSION_OPTIONS);
    Connection connection = DriverManager.getConnection(url, options);
    try (Statement statement = connection.createStatement()) {
      statement.execute(PostgresDeliveryQueue.INDEX_PLANS);
    }
    return connection;
  }

  /** Claims up to {@code max} due deliveries in the caller's transaction; how many it took. */
  public static int claim(Connection connection, int max) throws SQLException {
    Instant now = Instant.now();
    return Claims.claim(
            connection,
            max,
            DeliveryQueue.ALL_DUE,
            now,
            now.plusSeconds(30),
            UUID.randomUUID(),
            Set.of())
        .rows()
        .size();
  }

  /**
   * Reads the queue's statistics as the metrics do, in the caller's session (set up with {@link
   * #SESSION}); what they found, as due, leased, scheduled, parked.
   */
  public static long[] queueStatistics(Connection connection) {
    QueueStatistics.Snapshot snapshot =
        new QueueStatistics(new Transactor(DSL.using(connection, SQLDialect.POSTGRES)))
            .read(Instant.now());
    return new long[] {snapshot.due(), snapshot.leased(), snapshot.scheduled(), snapshot.parked()};
  }

  /**
   * {@code explain (analyze, buffers)} of the claim of {@code max}, run in the caller's
   * transaction.
   */
  public static String explain(Connection connection, int max) throws SQLException {
    Instant now = Instant.now();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "explain (analyze, buffers) " + Claims.text(max, Days.around(now)))) {
      statement.setString(1, now.plusSeconds(30).toString());
      statement.setObject(2, UUID.randomUUID());
      statement.setString(3, DeliveryQueue.ALL_DUE.toString());
      statement.setString(4, now.toString());
      statement.setString(5, now.toString());
      statement.setArray(6, connection.createArrayOf("uuid", new Object[0]));
      statement.setString(7, now.toString());
      statement.setArray(8, connection.createArrayOf("uuid", new Object[0]));
      StringBuilder plan = new StringBuilder();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }
}
