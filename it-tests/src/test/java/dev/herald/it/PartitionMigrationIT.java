package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.RetryDeliveryRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database written by the schema before partitions (V11) migrates in place: every event, delivery
 * and attempt is found afterwards by its old id, in lists, by a replayed event id, and a delivery
 * pending then is still delivered. Its rows stay in the first partition, the old tables.
 */
class PartitionMigrationIT {
  private static final String PROJECT = "proj-migrated";

  @Test
  void everyRowWrittenBeforePartitionsIsFoundAfterThem() throws Exception {
    String url = OlderSchemas.databaseAt("11");
    try (Receiver receiver = Receiver.http()) {
      String hook = receiver.url("/migrated");
      UUID webhook = UUID.randomUUID();
      Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MICROS);
      List<UUID> deliveries = new ArrayList<>();
      try (Connection connection = DriverManager.getConnection(url)) {
        OlderSchemas.insertWebhook(connection, webhook, PROJECT, hook, twoDaysAgo);
        deliveries.add(insertEvent(connection, webhook, hook, "evt-succeeded", twoDaysAgo, 1));
        deliveries.add(insertEvent(connection, webhook, hook, "evt-failed", twoDaysAgo, 4));
        deliveries.add(insertEvent(connection, webhook, hook, "evt-pending", twoDaysAgo, 0));
      }
      try (HeraldFixture herald = HeraldFixture.startOn(url)) {
        // Made with the first webhook through the API, as a migrated project's was; its retry is
        // made due once the secret is there to sign it.
        herald
            .webhooks()
            .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(PROJECT).build());
        try (Connection connection = DriverManager.getConnection(url)) {
          Sql.execute(connection, "update delivery_queue set next_attempt_time = now()");
        }
        Delivery succeeded = herald.delivery(deliveries.get(0).toString());
        assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, succeeded.getStatus());
        assertEquals(1, succeeded.getAttemptsCount());
        assertEquals(
            "{\"n\":\"evt-succeeded\",\"trigger\":\"bot.state_change\"}", succeeded.getPayload());
        assertEquals("evt-succeeded", succeeded.getEventId());
        assertEquals("bot.state_change", succeeded.getTrigger());
        assertEquals(succeeded.getAttempts(0).getUrl(), succeeded.getUrl());
        assertEquals(4, herald.delivery(deliveries.get(1).toString()).getAttemptsCount());

        Delivery delivered =
            herald.awaitStatus(
                deliveries.get(2).toString(), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
        assertEquals(1, delivered.getAttemptsCount());
        assertEquals(
            "{\"n\":\"evt-pending\",\"trigger\":\"bot.state_change\"}",
            new String(
                receiver.awaitRequests("/migrated", 1, Duration.ofSeconds(10)).get(0).body(),
                java.nio.charset.StandardCharsets.UTF_8));

        herald
            .deliveries()
            .retryDelivery(
                RetryDeliveryRequest.newBuilder().setId(deliveries.get(1).toString()).build());
        Delivery retried = herald.awaitAttempts(deliveries.get(1).toString(), 5);
        assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, retried.getStatus());

        IngestStateChangeResponse replay =
            herald
                .ingestion()
                .ingestStateChange(
                    Requests.stateChange(PROJECT, "bot").setEventId("evt-failed").build());
        assertEquals(List.of(deliveries.get(1).toString()), replay.getDeliveryIdsList());

        List<String> listed =
            herald
                .deliveries()
                .listDeliveries(
                    ListDeliveriesRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setBotId("bot")
                        .setPageSize(10)
                        .build())
                .getDeliveriesList()
                .stream()
                .map(Delivery::getId)
                .toList();
        assertTrue(
            listed.containsAll(deliveries.stream().map(UUID::toString).toList()),
            listed.toString());
        try (Connection connection = DriverManager.getConnection(url)) {
          assertEquals(3, count(connection, "select count(*) from deliveries_legacy"));
          assertEquals(3, count(connection, "select count(*) from events_legacy"));
          assertEquals(
              1 + 4 + 1 + 1, count(connection, "select count(*) from delivery_attempts_legacy"));
        }
      }
    }
  }

  /**
   * An event and its delivery as the schema of V11 stored them, with random ids, and {@code
   * attempts} failed attempts (the first succeeding if it is the only one); pending, in the queue
   * and due in a day, if it has none.
   */
  private static UUID insertEvent(
      Connection connection, UUID webhook, String url, String eventId, Instant at, int attempts)
      throws SQLException {
    UUID event = UUID.randomUUID();
    UUID delivery = UUID.randomUUID();
    Timestamp time = Timestamp.from(at);
    Sql.execute(
        connection,
        "insert into events (id, project_id, event_id, bot_id, trigger, new_state, event_type,"
            + " created_at, create_time) values (?, ?, ?, 'bot', 'bot.state_change', 'ended',"
            + " 'post_processing_completed', ?, ?)",
        event,
        PROJECT,
        eventId,
        time,
        time);
    String status = attempts == 0 ? "PENDING" : attempts == 1 ? "SUCCEEDED" : "FAILED";
    Sql.execute(
        connection,
        "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, trigger,"
            + " idempotency_key, url, payload, status, attempt_count, create_time)"
            + " values (?, ?, ?, ?, 'bot', 'bot.state_change', ?, ?, ?, ?, ?, ?)",
        delivery,
        event,
        webhook,
        PROJECT,
        UUID.randomUUID(),
        url,
        "{\"n\":\"" + eventId + "\",\"trigger\":\"bot.state_change\"}",
        status,
        attempts,
        time);
    for (int n = 1; n <= attempts; n++) {
      Sql.execute(
          connection,
          "insert into delivery_attempts (delivery_id, attempt_number, url, start_time,"
              + " duration_ms, response_status_code, response_body, error, succeeded)"
              + " values (?, ?, ?, ?, 5, ?, '', '', ?)",
          delivery,
          n,
          url,
          time,
          attempts == 1 ? 204 : 503,
          attempts == 1);
    }
    if (attempts == 0) {
      Sql.execute(
          connection,
          "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time)"
              + " values (?, ?, now() + interval '1 day')",
          delivery,
          webhook);
    }
    return delivery;
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
