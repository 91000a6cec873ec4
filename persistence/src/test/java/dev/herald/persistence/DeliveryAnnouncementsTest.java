package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGNotification;

/** Each server knows its own announcements from other servers' ones, through real LISTEN/NOTIFY. */
class DeliveryAnnouncementsTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Test
  void aServerKnowsItsOwnAnnouncementAndNoOtherServersOne() throws Exception {
    DeliveryAnnouncements here = new DeliveryAnnouncements(new Listeners());
    DeliveryAnnouncements elsewhere = new DeliveryAnnouncements(new Listeners());

    PGNotification own = heardAfter(dsl -> here.announce(dsl));
    PGNotification other = heardAfter(dsl -> elsewhere.announce(dsl));

    assertTrue(here.fromHere(own));
    assertFalse(here.fromHere(other));
    assertTrue(elsewhere.fromHere(other));
  }

  @Test
  void aBareNotifyIsNobodysOwn() throws Exception {
    PGNotification bare = heardAfter(dsl -> dsl.execute("notify " + DeliveryAnnouncements.CHANNEL));

    assertFalse(new DeliveryAnnouncements(new Listeners()).fromHere(bare));
  }

  /**
   * Listens on the channel, runs {@code announce} in a committed transaction, and returns what
   * arrived.
   */
  private static PGNotification heardAfter(Consumer<DSLContext> announce) throws SQLException {
    try (Connection listener = postgres.getPostgresDatabase().getConnection();
        Connection writer = postgres.getPostgresDatabase().getConnection()) {
      try (Statement listen = listener.createStatement()) {
        listen.execute("listen " + DeliveryAnnouncements.CHANNEL);
      }
      writer.setAutoCommit(false);
      announce.accept(DSL.using(writer, SQLDialect.POSTGRES));
      writer.commit();
      List<PGNotification> heard = Notifications.awaitSome(listener);
      assertEquals(1, heard.size(), "notifications heard");
      return heard.get(0);
    }
  }
}
