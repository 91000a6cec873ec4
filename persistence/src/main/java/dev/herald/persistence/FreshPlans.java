package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.sql.Connection;
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
 * The queue's connections, each with its plans remade a second, two, four... after it opens and
 * after midnight, then every {@link #LATEST}. The queue's statements are planned once per
 * connection ({@link PostgresDeliveryQueue#INDEX_PLANS}), and a plan made while the day's partition
 * was empty (just after midnight, or on a fresh server) reads its indexes whole: to the planner an
 * empty index costs one page whichever way it is read. Such a plan, kept, walked every index entry
 * of the day for each delivery claimed or recorded, seconds a statement by the time the day held
 * 50,000 deliveries. Remade, a plan costs the size the day has on disk by then, whatever its
 * statistics say; remade ever less often, because planning the claim over a month of partitions
 * costs milliseconds, and a day large once stays large.
 */
final class FreshPlans implements DataSource {
  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration LATEST = Duration.ofMinutes(5);

  private final DataSource connections;
  private final Clock clock;

  /** When each physical connection's plans are next dropped; forgets closed connections. */
  private final Map<Object, Schedule> schedules = new WeakHashMap<>();

  private record Schedule(Instant next, Duration interval, LocalDate day) {
    static Schedule from(Instant now, Duration interval) {
      return new Schedule(now.plus(interval), interval, LocalDate.ofInstant(now, ZoneOffset.UTC));
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
    Instant now = clock.instant();
    Schedule schedule = schedules.get(physical);
    if (schedule == null) {
      // A new connection has no plans yet.
      schedules.put(physical, Schedule.from(now, FIRST));
      return false;
    }
    if (!LocalDate.ofInstant(now, ZoneOffset.UTC).equals(schedule.day())) {
      schedules.put(physical, Schedule.from(now, FIRST));
      return true;
    }
    if (now.isBefore(schedule.next())) {
      return false;
    }
    Duration longer = schedule.interval().multipliedBy(2);
    schedules.put(physical, Schedule.from(now, longer.compareTo(LATEST) > 0 ? LATEST : longer));
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
