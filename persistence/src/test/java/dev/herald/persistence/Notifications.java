package dev.herald.persistence;

import dev.herald.testing.Eventually;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The notifications a listening test session receives. */
final class Notifications {
  private Notifications() {}

  /** What arrives on {@code listener} until something has (within the tests' usual deadline). */
  static List<PGNotification> awaitSome(Connection listener) throws SQLException {
    List<PGNotification> heard = new ArrayList<>();
    PGConnection listening = listener.unwrap(PGConnection.class);
    Eventually.until(
        "a notification",
        () -> {
          try {
            PGNotification[] batch = listening.getNotifications(100);
            if (batch != null) {
              heard.addAll(Arrays.asList(batch));
            }
            return !heard.isEmpty();
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
    return heard;
  }
}
