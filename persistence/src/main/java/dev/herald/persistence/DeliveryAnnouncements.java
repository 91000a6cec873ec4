package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import org.jooq.DSLContext;
import org.postgresql.PGNotification;

/**
 * The PostgreSQL notification channel on which a server announces deliveries it made due, signed
 * with this server's own mark: every server listens, and each ignores its own announcements, since
 * it has already woken its dispatcher in process.
 */
final class DeliveryAnnouncements {
  static final String CHANNEL = "herald_deliveries";

  private final String origin = UUID.randomUUID().toString();
  private final Listeners everyServer;

  DeliveryAnnouncements(Listeners everyServer) {
    this.everyServer = requireNonNull(everyServer, "everyServer");
  }

  /**
   * Whether another server listens, looked at on {@code connection} ({@link Listeners}): ingest
   * announces its batches only then. One that starts listening is heard within a second, and polls
   * meanwhile.
   */
  boolean heard(Connection connection) {
    return everyServer.seen(connection).othersListen();
  }

  /**
   * Inside a transaction that made deliveries due: tell the listeners once it commits. Plain JDBC,
   * as it runs with every ingest commit and a jOOQ template is parsed on each use.
   */
  void announce(DSLContext dsl) {
    dsl.connection(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement("select pg_notify(?, ?)")) {
            statement.setString(1, CHANNEL);
            statement.setString(2, origin);
            statement.execute();
          }
        });
  }

  /** This server's mark, the payload of its announcements. */
  String origin() {
    return origin;
  }

  boolean fromHere(PGNotification notification) {
    return origin.equals(notification.getParameter());
  }
}
