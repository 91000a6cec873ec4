package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Timestamps;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetSigningSecretRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database written while every attempt rewrote its delivery's row (V19: status, attempts made,
 * the round's start and the times in the row) migrates in place: an ended delivery reads back as it
 * ended, and one retrying then goes on from the attempts it had, in the round it was in. The
 * attempts keep the URLs they were sent to, whether stored in their rows or, since V23, by number.
 */
class OutcomesMigrationIT {
  private static final String PROJECT = "proj-outcomes";
  private static final String BODY =
      "{\"bot_id\":\"bot\",\"data\":{\"new_state\":\"joined\"},\"idempotency_key\":"
          + "\"00000000-0000-0000-0000-000000000000\",\"trigger\":\"bot.state_change\"}";

  @Test
  void endedDeliveriesReadAsTheyEndedAndARetryGoesOnFromItsAttempts() throws Exception {
    String url = OlderSchemas.databaseAt("19");
    try (Receiver receiver = Receiver.http()) {
      String hook = receiver.url("/outcomes");
      UUID webhook = UUID.randomUUID();
      Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MILLIS);
      UUID succeeded;
      UUID failed;
      UUID retrying;
      try (Connection connection = DriverManager.getConnection(url)) {
        OlderSchemas.partitionAllBeforeToday(connection, "v19");
        OlderSchemas.insertWebhook(connection, webhook, PROJECT, hook, twoDaysAgo);
        succeeded = insertDelivery(connection, webhook, hook, twoDaysAgo, "SUCCEEDED", 2, 0);
        failed = insertDelivery(connection, webhook, hook, twoDaysAgo, "FAILED", 1, 0);
        // Retried by hand after a first round of two, and failed once more since.
        retrying = insertDelivery(connection, webhook, hook, twoDaysAgo, "PENDING", 3, 2);
      }
      try (HeraldFixture herald = HeraldFixture.startOn(url)) {
        Delivery sent = herald.delivery(succeeded.toString());
        assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, sent.getStatus());
        assertEquals(2, sent.getAttemptCount());
        assertEquals(attemptStart(twoDaysAgo, 2), Timestamps.toString(sent.getLastAttemptTime()));
        assertEquals(
            Timestamps.toString(Timestamps.fromMillis(twoDaysAgo.toEpochMilli() + 2_005)),
            Timestamps.toString(sent.getSucceededTime()));
        Delivery ended = herald.delivery(failed.toString());
        assertEquals(DeliveryStatus.DELIVERY_STATUS_FAILED, ended.getStatus());
        assertEquals(1, ended.getAttemptCount());
        assertEquals(
            DeliveryStatus.DELIVERY_STATUS_PENDING,
            herald.delivery(retrying.toString()).getStatus());

        herald
            .webhooks()
            .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(PROJECT).build());
        try (Connection connection = DriverManager.getConnection(url);
            Statement statement = connection.createStatement()) {
          try (ResultSet row =
              statement.executeQuery("select attempts_made, round_start from delivery_queue")) {
            row.next();
            assertEquals(3, row.getInt(1));
            assertEquals(2, row.getInt(2));
          }
          statement.execute("update delivery_queue set next_attempt_time = now()");
        }
        Delivery delivered =
            herald.awaitStatus(retrying.toString(), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
        assertEquals(4, delivered.getAttemptCount());
        assertEquals(4, delivered.getAttempts(delivered.getAttemptsCount() - 1).getAttemptNumber());
        // Attempts made before V23 keep their own URL; the one made since names it by number.
        assertEquals(
            List.of(hook, hook, hook, hook),
            delivered.getAttemptsList().stream().map(DeliveryAttempt::getUrl).toList());
        try (Connection connection = DriverManager.getConnection(url);
            Statement statement = connection.createStatement();
            ResultSet rows =
                statement.executeQuery(
                    "select count(*) filter (where url = '' and url_id is not null),"
                        + " count(*) filter (where url <> '' and url_id is null)"
                        + " from delivery_attempts where delivery_id = '"
                        + retrying
                        + "'")) {
          rows.next();
          assertEquals(List.of(1, 3), List.of(rows.getInt(1), rows.getInt(2)));
        }
        assertEquals(1, receiver.awaitRequests("/outcomes", 1, Duration.ofSeconds(10)).size());
      }
    }
  }

  /** When attempt {@code number} started: a second apart, from a second after {@code made}. */
  private static String attemptStart(Instant made, int number) {
    return Timestamps.toString(Timestamps.fromMillis(made.toEpochMilli() + 1_000L * number));
  }

  /**
   * An event and its one delivery as V19 stored them, with {@code attempts} failed attempts but the
   * last of a succeeded one, each of 5 ms; a pending one is in the queue, due in a day.
   */
  private static UUID insertDelivery(
      Connection connection,
      UUID webhook,
      String url,
      Instant at,
      String status,
      int attempts,
      int roundStart)
      throws Exception {
    UUID event = UUID.randomUUID();
    UUID delivery = UUID.randomUUID();
    Timestamp time = Timestamp.from(at);
    Timestamp lastStart = Timestamp.from(at.plusSeconds(attempts));
    Sql.execute(
        connection,
        "insert into events (id, project_id, event_id, bot_id, create_time, body)"
            + " values (?, ?, ?, 'bot', ?, ?)",
        event,
        PROJECT,
        "evt-" + delivery,
        time,
        BODY);
    Sql.execute(
        connection,
        "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, status,"
            + " attempt_count, round_start, create_time, last_attempt_time, succeeded_time)"
            + " values (?, ?, ?, ?, 'bot', ?, ?, ?, ?, ?, ?)",
        delivery,
        event,
        webhook,
        PROJECT,
        status,
        attempts,
        roundStart,
        time,
        lastStart,
        status.equals("SUCCEEDED") ? Timestamp.from(at.plusSeconds(attempts).plusMillis(5)) : null);
    for (int n = 1; n <= attempts; n++) {
      boolean success = status.equals("SUCCEEDED") && n == attempts;
      Sql.execute(
          connection,
          "insert into delivery_attempts (delivery_id, attempt_number, url, start_time,"
              + " duration_ms, response_status_code, response_body, error, succeeded,"
              + " delivery_create_time) values (?, ?, ?, ?, 5, ?, '', '', ?, ?)",
          delivery,
          n,
          url,
          Timestamp.from(at.plusSeconds(n)),
          success ? 204 : 503,
          success,
          time);
    }
    if (status.equals("PENDING")) {
      Sql.execute(
          connection,
          "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time,"
              + " delivery_create_time) values (?, ?, now() + interval '1 day', ?)",
          delivery,
          webhook,
          time);
    }
    return delivery;
  }
}
