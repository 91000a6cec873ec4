package dev.herald.persistence;

import java.util.UUID;
import org.jooq.DSLContext;
import org.postgresql.PGNotification;

/**
 * The PostgreSQL notification channel on which a server announces deliveries it made due, signed
 * with this server's own mark: every server listens, and each ignores its own announcements,
 * since it has already woken its dispatcher in process.
 */
final class DeliveryAnnouncements {
  static final String CHANNEL = "herald_deliveries";

  private final String origin = UUID.randomUUID().toString();

  /** Inside a transaction that made deliveries due: tell the listeners once it commits. */
  void announce(DSLContext dsl) {
    dsl.resultQuery("select pg_notify({0}, {1})", CHANNEL, origin).fetch();
  }

  boolean fromHere(PGNotification notification) {
    return origin.equals(notification.getParameter());
  }
}
