package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The queue's connections, each with its plans remade while the day's deliveries are few and
 * growing. The queue's statements are planned once per connection ({@link
 * PostgresDeliveryQueue#INDEX_PLANS}), and a plan made while the day's partition was empty (just
 * after midnight, or on a fresh server) reads its indexes whole: to the planner an empty index
 * costs one page whichever way it is read. Such a plan, kept, walked every index entry of the day
 * for each delivery claimed or recorded, seconds a statement by the time the day held 50,000
 * deliveries. Remade, a plan costs the size the day has on disk by then, whatever its statistics
 * say. So once a second a connection handed out looks at the size of the day's {@code deliveries}
 * partition, and drops its plans if they were made while it was under {@link #SMALL} and it has
 * since doubled: a few times in a day's first minutes, never once the day is large (replanning the
 * claim over a month of partitions costs milliseconds).
 */
final class FreshPlans implements DataSource {
  static final Duration LOOK_EVERY = Duration.ofSeconds(1);

  /** A day's deliveries on more pages than this are planned as the large table they are. */
  static final long SMALL = 1024 * 1024;

  private static final String DAY_SIZE = "select coalesce(pg_relation_size(to_regclass(?)), 0)";

  private final DataSource connections;
  private final Clock clock;

  /** What each physical connection's plans were made for; forgets closed connections. */
  private final Map<Object, Planned> planned = new WeakHashMap<>();

  /** Plans made on {@code day} when its deliveries took {@code bytes}, looked at {@code at}. */
  record Planned(LocalDate day, long bytes, Instant at) {
    /** Whether these plans are to be remade for {@code day}, its deliveries taking {@code now}. */
    boolean staleFor(LocalDate today, long now) {
      return !day.equals(today) || (bytes < SMALL && now >= 2 * Math.max(bytes, 8192));
    }
  }

  FreshPlans(DataSource connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = connections.getConnection();
    try {
      refreshIfDue(connection);
      return connection;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private void refreshIfDue(Connection connection) throws SQLException {
    Object physical = connection.unwrap(org.postgresql.PGConnection.class);
    Instant now = clock.instant();
    Planned last;
    synchronized (planned) {
      last = planned.get(physical);
      if (last != null && now.isBefore(last.at().plus(LOOK_EVERY))) {
        return;
      }
    }
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    long bytes = daySize(connection, day);
    boolean stale = last != null && last.staleFor(day, bytes);
    if (stale) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("discard plans");
      }
    }
    synchronized (planned) {
      planned.put(
          physical,
          last == null || stale
              ? new Planned(day, bytes, now)
              : new Planned(last.day(), last.bytes(), now));
    }
  }

  private static long daySize(Connection connection, LocalDate day) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(DAY_SIZE)) {
      statement.setString(1, Partitions.nameOf("deliveries", day));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
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
