package dev.herald.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Statements a test runs on the database behind Herald, to set up what no call can. */
final class Sql {
  private Sql() {}

  /** Runs {@code sql} with {@code values} bound to its placeholders in order. */
  static void execute(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      statement.execute();
    }
  }
}
