package dev.herald.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Columns of a batch as PostgreSQL arrays, for statements that {@code unnest} them: one
 * statement of fixed text whatever the batch size, so it is neither rendered nor planned anew.
 * Times travel as ISO-8601 text and are cast to {@code timestamptz} in the statement.
 */
final class SqlArrays {
  private final Connection connection;

  SqlArrays(Connection connection) {
    this.connection = connection;
  }

  <T> Array of(String type, List<T> rows, Function<T, ?> column) throws SQLException {
    return connection.createArrayOf(type, rows.stream().map(column).toArray());
  }

  <T> Array times(List<T> rows, Function<T, Instant> column) throws SQLException {
    return of("text", rows, row -> {
      Instant time = column.apply(row);
      return time == null ? null : time.toString();
    });
  }
}
