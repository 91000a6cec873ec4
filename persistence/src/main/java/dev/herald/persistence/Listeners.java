package dev.herald.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Who listens on Herald's notification channels, so that nobody is told what nobody hears: every
 * server's listening connection ({@link DeliveryWakeups}) names itself in {@code application_name},
 * and while its server has watchers of attempt outcomes it says so there too. A server announces
 * new work only while another server listens, and publishes outcomes only while some server
 * watches. Before, every recorded batch sent its outcomes in a transaction of its own, and every
 * server's listening connection was woken to read and drop them, as it was for its own server's
 * every ingest batch.
 *
 * <p>What was seen is kept for {@link #FRESH_FOR}, so a server that starts listening or watching is
 * heard by every other within that time; {@link OutcomeNotifications#watch} waits for it.
 */
final class Listeners {
  static final String LISTENING = "herald-wakeups";
  static final String WATCHING = "herald-wakeups, watching";

  /** How long what was seen is used before it is looked at again. */
  static final Duration FRESH_FOR = Duration.ofSeconds(1);

  /**
   * Hand-written: a look at the server's sessions, once a second at most. Every role sees the
   * application name of every session.
   */
  static final String LOOK =
      """
      select count(*) filter (where pid <> ?), count(*) filter (where application_name = ?)
        from pg_stat_activity
       where datname = current_database() and application_name in (?, ?)
      """;

  /** What a look saw, and when (System.nanoTime) it began. */
  record Seen(long lookedAt, boolean othersListen, boolean watched) {}

  private final long freshForNanos;

  /** The last look; null before the first. */
  private volatile Seen seen;

  /** The backend of this server's own listening connection; 0 while it has none. */
  private volatile int ownListener;

  Listeners() {
    this(FRESH_FOR);
  }

  Listeners(Duration freshFor) {
    this.freshForNanos = freshFor.toNanos();
  }

  /** Told by {@link DeliveryWakeups} as its connection starts listening (or 0 as it is lost). */
  void ownListener(int backendPid) {
    ownListener = backendPid;
  }

  /**
   * Who listens, looked at on {@code connection} if the last look is older than {@link #FRESH_FOR}.
   * A look that fails answers as if everyone listened.
   */
  Seen seen(Connection connection) {
    Seen last = seen;
    long now = System.nanoTime();
    if (last != null && now - last.lookedAt() < freshForNanos) {
      return last;
    }
    try (PreparedStatement look = connection.prepareStatement(LOOK)) {
      look.setInt(1, ownListener);
      look.setString(2, WATCHING);
      look.setString(3, LISTENING);
      look.setString(4, WATCHING);
      try (ResultSet row = look.executeQuery()) {
        row.next();
        Seen fresh = new Seen(now, row.getLong(1) > 0, row.getLong(2) > 0);
        seen = fresh;
        return fresh;
      }
    } catch (SQLException e) {
      return new Seen(now, true, true);
    }
  }
}
