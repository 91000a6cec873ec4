package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.OutcomeFeed;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attempt outcomes passed between servers through PostgreSQL's NOTIFY: the server that records a
 * batch notifies its outcomes, and every server's listening connection ({@link DeliveryWakeups})
 * hands them to the watchers it has. An outcome is one line of tab-separated fields: ids and
 * project and bot ids are visible ASCII, and the error text has no control characters (see {@link
 * dev.herald.domain.delivery.ReceiverText}), so neither a tab nor a line break can occur inside a
 * field. Outcomes are published only while some server watches ({@link Listeners}).
 */
final class OutcomeNotifications implements OutcomeFeed {
  static final String CHANNEL = "herald_outcomes";

  /** PostgreSQL refuses a payload of 8,000 bytes or more; outcomes are packed below that. */
  private static final int PAYLOAD_BYTES = 7_900;

  private static final String NOTIFY =
      "select pg_notify(?, payload) from unnest(?::text[]) as payload";
  private static final Logger log = LoggerFactory.getLogger(OutcomeNotifications.class);

  private final Set<Consumer<DeliveryOutcome>> listeners = new CopyOnWriteArraySet<>();

  /** How long a new watch waits for the listening connection to start listening to outcomes. */
  private static final Duration LISTENING_WITHIN = Duration.ofSeconds(5);

  private final Listeners everyServer;

  /** Watches not yet in place: their server needs outcomes sent to it already. */
  private final AtomicInteger arriving = new AtomicInteger();

  /** Whether the listening connection listens to outcomes now; guarded by itself. */
  private final Object listeningChange = new Object();

  private boolean listening;

  /** When (System.nanoTime) the listening connection last started listening to outcomes. */
  private long listeningSince;

  OutcomeNotifications(Listeners everyServer) {
    this.everyServer = requireNonNull(everyServer, "everyServer");
  }

  /**
   * Returns once outcomes reach this server and every server has seen that it watches ({@link
   * Listeners#FRESH_FOR} after it said so), so that nothing recorded after the call is missed (or
   * after {@link #LISTENING_WITHIN}, should the connection be down). The listener hears outcomes
   * from then on.
   */
  @Override
  public Watch watch(Consumer<DeliveryOutcome> listener) {
    arriving.incrementAndGet();
    try {
      synchronized (listeningChange) {
        long deadline = System.nanoTime() + LISTENING_WITHIN.toNanos();
        long heardBy = Listeners.FRESH_FOR.toNanos();
        try {
          for (long now = System.nanoTime();
              now < deadline && (!listening || now - listeningSince < heardBy);
              now = System.nanoTime()) {
            long until = listening ? listeningSince + heardBy : deadline;
            listeningChange.wait(Math.max(1, (until - now) / 1_000_000));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      listeners.add(listener);
    } finally {
      arriving.decrementAndGet();
    }
    return () -> listeners.remove(listener);
  }

  /** Whether this server has watchers, and so needs outcomes sent to it. */
  boolean wanted() {
    return !listeners.isEmpty() || arriving.get() > 0;
  }

  /** Told by the listening connection when it starts or stops listening to outcomes. */
  void listening(boolean now) {
    synchronized (listeningChange) {
      listening = now;
      listeningSince = System.nanoTime();
      listeningChange.notifyAll();
    }
  }

  /** Watches open on this server now. */
  int watches() {
    return listeners.size();
  }

  /**
   * Notifies the outcomes of a recorded batch, if any server watches; in the recorder's session,
   * after its record.
   */
  void publish(DSLContext dsl, List<DeliveryOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    dsl.connection(
        connection -> {
          if (!wanted() && !everyServer.seen(connection).watched()) {
            return;
          }
          List<String> payloads = pack(outcomes);
          try (PreparedStatement notify = connection.prepareStatement(NOTIFY)) {
            notify.setString(1, CHANNEL);
            notify.setString(2, ArrayLiterals.of(payloads));
            notify.execute();
          }
        });
  }

  /** Hands a notification's outcomes to this server's watchers; never throws at the caller. */
  void received(PGNotification notification) {
    if (listeners.isEmpty()) {
      return;
    }
    for (String line : notification.getParameter().split("\n")) {
      DeliveryOutcome outcome;
      try {
        outcome = decode(line);
      } catch (RuntimeException e) {
        log.warn("Passed over an outcome notification Herald cannot read ({})", e.getMessage());
        continue;
      }
      for (Consumer<DeliveryOutcome> listener : listeners) {
        try {
          listener.accept(outcome);
        } catch (RuntimeException e) {
          log.warn("A watcher failed to take an outcome", e);
        }
      }
    }
  }

  static List<String> pack(List<DeliveryOutcome> outcomes) {
    List<String> payloads = new ArrayList<>();
    StringBuilder payload = new StringBuilder();
    int bytes = 0;
    for (DeliveryOutcome outcome : outcomes) {
      String line = encode(outcome);
      int lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1;
      if (bytes > 0 && bytes + lineBytes > PAYLOAD_BYTES) {
        payloads.add(payload.toString());
        payload.setLength(0);
        bytes = 0;
      }
      if (bytes > 0) {
        payload.append('\n');
      }
      payload.append(line);
      bytes += lineBytes;
    }
    payloads.add(payload.toString());
    return payloads;
  }

  static String encode(DeliveryOutcome outcome) {
    return String.join(
        "\t",
        outcome.deliveryId().toString(),
        outcome.projectId(),
        outcome.webhookId().toString(),
        outcome.botId(),
        outcome.status().name(),
        Integer.toString(outcome.attemptNumber()),
        Integer.toString(outcome.responseStatusCode()),
        Long.toString(outcome.duration().toMillis()),
        outcome.attemptTime().toString(),
        outcome.error());
  }

  static DeliveryOutcome decode(String line) {
    String[] fields = line.split("\t", 10);
    if (fields.length != 10) {
      throw new IllegalArgumentException("expected 10 fields, found " + fields.length);
    }
    return new DeliveryOutcome(
        UUID.fromString(fields[0]),
        fields[1],
        UUID.fromString(fields[2]),
        fields[3],
        DeliveryStatus.valueOf(fields[4]),
        Integer.parseInt(fields[5]),
        Integer.parseInt(fields[6]),
        fields[9],
        Duration.ofMillis(Long.parseLong(fields[7])),
        Instant.parse(fields[8]));
  }
}
