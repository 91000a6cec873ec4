package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.ListDeliveriesRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database written by the schema before the history was made compact (V15: the event's body as
 * text beside its columns, each delivery's trigger, URL and idempotency key in its row) migrates in
 * place: its deliveries read back as they were sent, each with its own key, and one pending then is
 * delivered with its own key.
 */
class CompactHistoryMigrationIT {
  private static final String PROJECT = "proj-compacted";
  private static final String PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  private static final String TEMPLATE =
      "{\"bot_id\":\"bot\",\"bot_metadata\":{\"customer\":\"acme\"},\"data\":{\"created_at\":"
          + "\"2023-07-15T14:30:45.123456Z\",\"event_sub_type\":null,\"event_type\":"
          + "\"post_processing_completed\",\"new_state\":\"ended\",\"old_state\":"
          + "\"post_processing\"},\"idempotency_key\":\""
          + PLACEHOLDER
          + "\",\"trigger\":\"bot.state_change\"}";

  @Test
  void deliveriesStoredBeforeReadBackAsTheyWereSent() throws Exception {
    String url = OlderSchemas.databaseAt("15");
    try (Receiver receiver = Receiver.http()) {
      String hook = receiver.url("/compacted");
      UUID webhook = UUID.randomUUID();
      Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MICROS);
      UUID succeededKey = UUID.randomUUID();
      UUID pendingKey = UUID.randomUUID();
      UUID succeeded;
      UUID pending;
      try (Connection connection = DriverManager.getConnection(url)) {
        OlderSchemas.partitionAllBeforeToday(connection, "v15");
        OlderSchemas.insertWebhook(connection, webhook, PROJECT, hook, twoDaysAgo);
        succeeded = insertDelivery(connection, webhook, hook, succeededKey, twoDaysAgo, true);
        pending = insertDelivery(connection, webhook, hook, pendingKey, twoDaysAgo, false);
      }
      try (HeraldFixture herald = HeraldFixture.startOn(url)) {
        Delivery sent = herald.delivery(succeeded.toString());
        assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, sent.getStatus());
        assertEquals(succeededKey.toString(), sent.getIdempotencyKey());
        assertEquals(TEMPLATE.replace(PLACEHOLDER, succeededKey.toString()), sent.getPayload());
        assertEquals("bot.state_change", sent.getTrigger());
        assertEquals(hook + "?then", sent.getUrl());
        assertEquals(
            2,
            herald
                .deliveries()
                .listDeliveries(ListDeliveriesRequest.newBuilder().setProjectId(PROJECT).build())
                .getDeliveriesCount());

        // The secret its signature needs, then the pending delivery made due.
        herald
            .webhooks()
            .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(PROJECT).build());
        try (Connection connection = DriverManager.getConnection(url)) {
          Sql.execute(connection, "update delivery_queue set next_attempt_time = now()");
        }
        Delivery delivered =
            herald.awaitStatus(pending.toString(), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
        Receiver.Request request =
            receiver.awaitRequests("/compacted", 1, Duration.ofSeconds(10)).get(0);
        String body = TEMPLATE.replace(PLACEHOLDER, pendingKey.toString());
        assertEquals(body, new String(request.body(), StandardCharsets.UTF_8));
        assertEquals(pendingKey.toString(), request.header("webhook-id"));
        assertEquals(body, delivered.getPayload());
        assertEquals(hook, delivered.getUrl());
      }
    }
  }

  /**
   * An event and its one delivery as V15 stored them: the body on the event with a placeholder key;
   * the delivery with its own key, and either succeeded at an attempt to the URL the webhook had
   * then, or pending, in the queue and due in a day.
   */
  private static UUID insertDelivery(
      Connection connection, UUID webhook, String url, UUID key, Instant at, boolean succeeded)
      throws Exception {
    UUID event = UUID.randomUUID();
    UUID delivery = UUID.randomUUID();
    Timestamp time = Timestamp.from(at);
    Sql.execute(
        connection,
        "insert into events (id, project_id, event_id, bot_id, trigger, bot_metadata, old_state,"
            + " new_state, event_type, created_at, create_time, body) values (?, ?, ?, 'bot',"
            + " 'bot.state_change', '{\"customer\":\"acme\"}', 'post_processing', 'ended',"
            + " 'post_processing_completed', ?, ?, ?)",
        event,
        PROJECT,
        "evt-" + key,
        time,
        time,
        TEMPLATE);
    Sql.execute(
        connection,
        "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, trigger,"
            + " idempotency_key, url, status, attempt_count, create_time)"
            + " values (?, ?, ?, ?, 'bot', 'bot.state_change', ?, ?, ?, ?, ?)",
        delivery,
        event,
        webhook,
        PROJECT,
        key,
        url,
        succeeded ? "SUCCEEDED" : "PENDING",
        succeeded ? 1 : 0,
        time);
    if (succeeded) {
      Sql.execute(
          connection,
          "insert into delivery_attempts (delivery_id, attempt_number, url, start_time,"
              + " duration_ms, response_status_code, response_body, error, succeeded,"
              + " delivery_create_time) values (?, 1, ?, ?, 5, 204, '', '', true, ?)",
          delivery,
          url + "?then",
          time,
          time);
    } else {
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
