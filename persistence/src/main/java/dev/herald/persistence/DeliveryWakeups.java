package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.DeliveryNotifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to what other servers announce through PostgreSQL's LISTEN/NOTIFY on one connection:
 * attempt outcomes, for this server's watchers ({@link OutcomeNotifications}), and new work. It
 * wakes every server's dispatcher when deliveries become due: a transaction that makes deliveries
 * due announces it, and PostgreSQL delivers the notification to all listeners when it commits.
 * Servers therefore need no fast polling to pick up work that another server ingested. A server's
 * own announcements are passed over: it woke its dispatcher in process already, and a second
 * wake-up only costs it a claim that finds nothing.
 */
public final class DeliveryWakeups implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWakeups.class);

  /** How long the listening thread waits for a notification before it looks at its watchers. */
  private static final int WAIT_MILLIS = 200;

  private final DatabaseSettings settings;
  private final DeliveryAnnouncements announcements;
  private final DeliveryNotifier notifier;
  private final OutcomeNotifications outcomes;
  private final Listeners listeners;
  private volatile boolean running;
  private Thread thread;

  DeliveryWakeups(
      DatabaseSettings settings,
      DeliveryAnnouncements announcements,
      DeliveryNotifier notifier,
      OutcomeNotifications outcomes,
      Listeners listeners) {
    this.settings = requireNonNull(settings, "settings");
    this.listeners = requireNonNull(listeners, "listeners");
    this.outcomes = requireNonNull(outcomes, "outcomes");
    this.announcements = requireNonNull(announcements, "announcements");
    this.notifier = requireNonNull(notifier, "notifier");
  }

  private static final Duration LOST_REPORT_EVERY = Duration.ofSeconds(30);
  private int lostInARow;
  private long lastLostReport;

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::listen, "herald-wakeups");
    thread.setDaemon(true);
    thread.start();
  }

  private void listen() {
    while (running) {
      try (Connection connection = connect();
          Statement statement = connection.createStatement()) {
        statement.execute("listen " + DeliveryAnnouncements.CHANNEL);
        if (lostInARow > 0) {
          log.info("Listening again, after {} tries", lostInARow);
          lostInARow = 0;
        }
        PGConnection postgres = connection.unwrap(PGConnection.class);
        listeners.ownListener(postgres.getBackendPID());
        boolean listeningToOutcomes = false;
        while (running) {
          // Outcomes are listened to only while this server has watchers: every outcome of every
          // server would otherwise cross this connection to be read and dropped. The session's
          // name tells the other servers whether to publish them (Listeners).
          if (outcomes.wanted() != listeningToOutcomes) {
            listeningToOutcomes = !listeningToOutcomes;
            statement.execute(
                (listeningToOutcomes ? "listen " : "unlisten ") + OutcomeNotifications.CHANNEL);
            statement.execute(
                "set application_name = '"
                    + (listeningToOutcomes ? Listeners.WATCHING : Listeners.LISTENING)
                    + "'");
            outcomes.listening(listeningToOutcomes);
          }
          PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
          if (notifications != null) {
            dispatch(notifications);
          }
        }
      } catch (SQLException e) {
        listeners.ownListener(0);
        outcomes.listening(false);
        if (running) {
          reportLost(e);
          pause();
        }
      }
    }
  }

  /** The first loss in full, then a line every half minute while reconnecting keeps failing. */
  private void reportLost(SQLException e) {
    long now = System.nanoTime();
    if (lostInARow++ == 0 || now - lastLostReport >= LOST_REPORT_EVERY.toNanos()) {
      lastLostReport = now;
      log.warn(
          "No LISTEN connection ({}; {} tries); polling covers the gap, reconnecting",
          e.getMessage(),
          lostInARow);
    }
  }

  private void dispatch(PGNotification[] notifications) {
    boolean newWork = false;
    for (PGNotification notification : notifications) {
      if (OutcomeNotifications.CHANNEL.equals(notification.getName())) {
        outcomes.received(notification);
      } else if (!announcements.fromHere(notification)) {
        newWork = true;
      }
    }
    if (newWork) {
      notifier.deliveriesCreated();
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (settings.user() != null) {
      properties.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      properties.setProperty("password", settings.password());
    }
    properties.setProperty("ApplicationName", Listeners.LISTENING);
    return DriverManager.getConnection(settings.jdbcUrl(), properties);
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    if (thread != null) {
      try {
        thread.join(WAIT_MILLIS * 4L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
