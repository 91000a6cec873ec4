package dev.herald.persistence;

import dev.herald.domain.UnavailableException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import org.jooq.exception.DataAccessException;

/**
 * Tells a database that cannot be reached (down, restarting, refusing connections, the pool out of
 * time waiting for one) from a statement the database refused, so that callers can answer "try
 * again" for the first and nothing of the kind for the second.
 */
final class DatabaseFailures {
  /** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

  private DatabaseFailures() {}

  /**
   * {@code failure} as an {@link UnavailableException} when it means the database is out of reach.
   */
  static RuntimeException translate(RuntimeException failure) {
    return isUnavailable(failure)
        ? new UnavailableException("the database is unavailable", failure)
        : failure;
  }

  static boolean isUnavailable(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof UnavailableException
          || e instanceof SQLTransientConnectionException
          || e instanceof ConnectException) {
        return true;
      }
      String state =
          e instanceof SQLException sql
              ? sql.getSQLState()
              : e instanceof DataAccessException access ? access.sqlState() : null;
      if (state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state))) {
        return true;
      }
      if (e.getCause() == e) {
        break;
      }
    }
    return false;
  }
}
