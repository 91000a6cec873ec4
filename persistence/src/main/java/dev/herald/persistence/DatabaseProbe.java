package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Whether the database answers now: a connection from the API's pool, asked if it is valid. */
public final class DatabaseProbe {
  private static final int VALID_WITHIN_SECONDS = 2;

  private final DataSource dataSource;

  public DatabaseProbe(DataSource dataSource) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
  }

  public boolean reachable() {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(VALID_WITHIN_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }
}
