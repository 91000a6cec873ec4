package dev.herald.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A PostgreSQL session-level advisory lock, held by one connection until closed: how servers
 * sharing a database take turns at work only one of them should do at a time.
 */
final class AdvisoryLock implements AutoCloseable {
  private final Connection connection;
  private final long key;

  private AdvisoryLock(Connection connection, long key) {
    this.connection = connection;
    this.key = key;
  }

  /** Waits for the lock. */
  static AdvisoryLock take(Connection connection, long key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_lock(?)")) {
      statement.setLong(1, key);
      statement.execute();
    }
    return new AdvisoryLock(connection, key);
  }

  /** The lock if no other session holds it. */
  static Optional<AdvisoryLock> tryTake(Connection connection, long key) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("select pg_try_advisory_lock(?)")) {
      statement.setLong(1, key);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getBoolean(1)
            ? Optional.of(new AdvisoryLock(connection, key))
            : Optional.empty();
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("select pg_advisory_unlock(?)")) {
      statement.setLong(1, key);
      statement.execute();
    }
  }
}
