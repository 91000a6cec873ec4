package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.IngestStateChangeResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An acknowledged event outlives the server that acknowledged it. */
class RestartIT {
  private static Receiver receiver;

  @BeforeAll
  static void start() {
    receiver = Receiver.http();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void aDeliveryIngestedBeforeAStopIsMadeAfterTheRestart() {
    Map<String, String> ingestOnly = HeraldFixture.testSettings();
    ingestOnly.put("HERALD_DELIVERY_ENABLED", "false");
    String deliveryId;
    String jdbcUrl;
    try (HeraldFixture first = HeraldFixture.start(ingestOnly)) {
      first.webhooks().createWebhook(Requests.webhook("proj-restart", receiver.url("/restart")));
      deliveryId =
          first
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-restart", "bot").build())
              .getDeliveryIds(0);
      assertEquals(DeliveryStatus.DELIVERY_STATUS_PENDING, first.delivery(deliveryId).getStatus());
      jdbcUrl = first.jdbcUrl;
    }
    assertEquals(0, receiver.requests("/restart").size());

    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", jdbcUrl);
    try (HeraldFixture second = HeraldFixture.start(settings)) {
      Delivery delivery = second.awaitStatus(deliveryId, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
      assertEquals(1, delivery.getAttemptCount());
    }
    assertEquals(1, receiver.requests("/restart").size());
  }

  @Test
  void theDefaultEmbeddedDatabaseKeepsItsDataAcrossRestarts(@TempDir Path dataDir) {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATA_DIR", dataDir.toString());
    Map<String, String> ingestOnly = HeraldFixture.testSettings();
    ingestOnly.putAll(settings);
    ingestOnly.put("HERALD_DELIVERY_ENABLED", "false");
    String deliveryId;
    try (HeraldFixture first = HeraldFixture.startEmbedded(ingestOnly)) {
      first.webhooks().createWebhook(Requests.webhook("proj-embedded", receiver.url("/embedded")));
      deliveryId =
          first
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-embedded", "bot").build())
              .getDeliveryIds(0);
    }
    assertEquals(true, Files.exists(dataDir.resolve("postgres/PG_VERSION")));

    try (HeraldFixture second = HeraldFixture.startEmbedded(settings)) {
      second.awaitStatus(deliveryId, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    }
    assertEquals(1, receiver.requests("/embedded").size());
  }

  @Test
  void stoppingLetsTheAttemptInFlightFinishAndRecordsIt() {
    receiver.on(
        "/slow", i -> new Receiver.Reply(200, "took a while", Duration.ofMillis(700), Map.of()));
    String deliveryId;
    String jdbcUrl;
    try (HeraldFixture first = HeraldFixture.start()) {
      first.webhooks().createWebhook(Requests.webhook("proj-inflight", receiver.url("/slow")));
      IngestStateChangeResponse ingested =
          first.ingestion().ingestStateChange(Requests.stateChange("proj-inflight", "bot").build());
      deliveryId = ingested.getDeliveryIds(0);
      receiver.awaitRequests("/slow", 1, HeraldFixture.WAIT);
      jdbcUrl = first.jdbcUrl;
    }

    Map<String, String> ingestOnly = HeraldFixture.testSettings();
    ingestOnly.put("HERALD_DATABASE_URL", jdbcUrl);
    ingestOnly.put("HERALD_DELIVERY_ENABLED", "false");
    try (HeraldFixture second = HeraldFixture.start(ingestOnly)) {
      Delivery delivery = second.delivery(deliveryId);
      assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, delivery.getStatus());
      assertEquals(1, delivery.getAttemptCount());
      assertEquals("took a while", delivery.getAttempts(0).getResponseBody());
    }
  }
}
