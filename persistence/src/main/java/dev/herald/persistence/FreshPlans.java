package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The queue's connections, each with its plans remade at most every {@link #EVERY}. The queue's
 * statements are planned once per connection ({@link PostgresDeliveryQueue#INDEX_PLANS}), and a
 * plan made while the day's partition was empty (just after midnight, or on a fresh server) reads
 * its indexes whole: to the planner an empty index costs one page whichever way it is read. Such a
 * plan, kept, walked every index entry of the day for each delivery claimed or recorded, seconds a
 * statement by the time the day held 50,000 deliveries. Remade, a plan costs the size the day has
 * on disk by then, whatever its statistics say.
 */
final class FreshPlans implements DataSource {
  /**
   * Often enough that a plan made on an empty day is gone before the day is large, seldom enough
   * that planning the claim again (a few milliseconds over a month of partitions) costs nothing.
   */
  static final Duration EVERY = Duration.ofSeconds(5);

  private final DataSource connections;
  private final long everyNanos;
  private final LongSupplier nanoTime;

  /** When each physical connection's plans were last dropped; forgets closed connections. */
  private final Map<Object, Long> plannedAt = new WeakHashMap<>();

  FreshPlans(DataSource connections) {
    this(connections, EVERY, System::nanoTime);
  }

  FreshPlans(DataSource connections, Duration every, LongSupplier nanoTime) {
    this.connections = requireNonNull(connections, "connections");
    this.everyNanos = every.toNanos();
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = connections.getConnection();
    try {
      if (plansDue(connection.unwrap(org.postgresql.PGConnection.class))) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("discard plans");
        }
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private synchronized boolean plansDue(Object physical) {
    long now = nanoTime.getAsLong();
    Long last = plannedAt.get(physical);
    if (last == null) {
      // A new connection has no plans yet.
      plannedAt.put(physical, now);
      return false;
    }
    if (now - last < everyNanos) {
      return false;
    }
    plannedAt.put(physical, now);
    return true;
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the queue's connections have their own user");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return connections.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    connections.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    connections.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return connections.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return connections.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return type.isInstance(this) ? type.cast(this) : connections.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || connections.isWrapperFor(type);
  }
}
