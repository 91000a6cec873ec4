package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.DeliveryStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Servers see who listens through the sessions' names in PostgreSQL, and tell only those: new work
 * while another server listens, outcomes while some server watches.
 */
class ListenersTest {
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
  void anotherServersListeningSessionIsSeenAndOnesOwnIsNot() throws Exception {
    Listeners listeners = new Listeners(Duration.ZERO);
    try (Connection looking = connection()) {
      assertFalse(listeners.seen(looking).othersListen(), "nobody listens yet");

      try (Connection own = connection()) {
        named(own, Listeners.LISTENING);
        listeners.ownListener(own.unwrap(PGConnection.class).getBackendPID());
        assertFalse(listeners.seen(looking).othersListen(), "only this server's own listener");

        try (Connection other = connection()) {
          named(other, Listeners.LISTENING);
          Listeners.Seen seen = listeners.seen(looking);
          assertTrue(seen.othersListen(), "another server listens");
          assertFalse(seen.watched(), "nobody watches outcomes");

          named(other, Listeners.WATCHING);
          assertTrue(listeners.seen(looking).watched(), "another server watches outcomes");
        }
      }
    }
  }

  @Test
  void whatWasSeenIsKeptForAWhile() throws Exception {
    Listeners listeners = new Listeners(Duration.ofHours(1));
    try (Connection looking = connection();
        Connection other = connection()) {
      assertFalse(listeners.seen(looking).watched());
      named(other, Listeners.WATCHING);
      assertFalse(listeners.seen(looking).watched(), "the first look, kept");
    }
  }

  @Test
  void outcomesArePublishedOnlyWhileSomeServerWatches() throws Exception {
    OutcomeNotifications outcomes = new OutcomeNotifications(new Listeners(Duration.ZERO));
    try (Connection watcher = connection();
        Connection recorder = connection()) {
      try (Statement listen = watcher.createStatement()) {
        listen.execute("listen " + OutcomeNotifications.CHANNEL);
      }
      DeliveryOutcome unwatched = outcome();
      outcomes.publish(DSL.using(recorder, SQLDialect.POSTGRES), List.of(unwatched));
      named(watcher, Listeners.WATCHING);
      DeliveryOutcome watched = outcome();
      outcomes.publish(DSL.using(recorder, SQLDialect.POSTGRES), List.of(watched));

      // Notifications arrive in commit order: once the second is in, the first would be too.
      List<PGNotification> heard = Notifications.awaitSome(watcher);
      assertEquals(1, heard.size(), "notifications heard");
      assertEquals(
          watched.deliveryId(),
          OutcomeNotifications.decode(heard.get(0).getParameter()).deliveryId());
    }
  }

  private static Connection connection() throws SQLException {
    return postgres.getPostgresDatabase().getConnection();
  }

  private static void named(Connection session, String name) throws SQLException {
    try (Statement set = session.createStatement()) {
      set.execute("set application_name = '" + name + "'");
    }
  }

  private static DeliveryOutcome outcome() {
    return new DeliveryOutcome(
        UUID.randomUUID(),
        "proj",
        UUID.randomUUID(),
        "bot",
        DeliveryStatus.SUCCEEDED,
        1,
        200,
        "",
        Duration.ofMillis(3),
        Instant.parse("2026-12-01T00:00:00Z"));
  }
}
