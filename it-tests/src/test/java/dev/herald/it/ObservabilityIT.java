package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.testing.Eventually;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operations port of the production server: probes, and metrics that move as real deliveries
 * succeed, fail, retry and end. The last scrape is saved for promtool (see .ci/run).
 */
class ObservabilityIT {
  private static final String INGEST = "method=\"herald.v1.IngestionService/IngestStateChange\"";

  @Test
  void probesAnswerAndUnknownPathsAreNotFound() {
    try (HeraldFixture herald = HeraldFixture.start()) {
      assertEquals(200, Scrapes.get(herald.httpPort(), "/livez").statusCode());
      assertEquals(200, Scrapes.get(herald.httpPort(), "/readyz").statusCode());
      assertEquals(404, Scrapes.get(herald.httpPort(), "/nothing-here").statusCode());
      assertEquals(
          405,
          Scrapes.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + herald.httpPort() + "/metrics"))
                      .POST(HttpRequest.BodyPublishers.noBody()))
              .statusCode());
    }
  }

  @Test
  void metricsMoveAsDeliveriesSucceedFailRetryAndEnd() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_RETRY_MAX_RETRIES", "1");
    try (Receiver receiver = Receiver.http();
        HeraldFixture herald = HeraldFixture.start(settings)) {
      receiver.on("/fail", i -> Receiver.Reply.status(503, "busy"));
      receiver.on("/gone", i -> Receiver.Reply.status(410, "gone"));
      herald.webhooks().createWebhook(Requests.webhook("proj-ok", receiver.url("/ok")));
      herald.webhooks().createWebhook(Requests.webhook("proj-fail", receiver.url("/fail")));
      herald.webhooks().createWebhook(Requests.webhook("proj-gone", receiver.url("/gone")));
      String ok = ingest(herald, "proj-ok");
      String failed = ingest(herald, "proj-fail");
      String gone = ingest(herald, "proj-gone");
      ingest(herald, "proj-ok"); // a second event to the same webhook
      assertThrows(
          StatusRuntimeException.class,
          () -> herald.ingestion().ingestStateChange(Requests.stateChange("proj-ok", "").build()));
      herald.awaitStatus(ok, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
      herald.awaitStatus(failed, DeliveryStatus.DELIVERY_STATUS_FAILED);
      herald.awaitStatus(gone, DeliveryStatus.DELIVERY_STATUS_FAILED);

      String scrape =
          Eventually.await(
              "the ended deliveries counted",
              HeraldFixture.WAIT,
              () -> Scrapes.metrics(herald.httpPort()),
              s ->
                  Scrapes.value(s, "herald_deliveries_ended_total{status=\"failed\"}") >= 2
                      && Scrapes.value(s, "herald_deliveries_ended_total{status=\"succeeded\"}")
                          >= 2
                      // Disabling follows the record, in a transaction of its own.
                      && Scrapes.value(s, "herald_webhooks_disabled_total{reason=\"gone\"}") >= 1);
      Path capture = Path.of(System.getProperty("herald.capture.dir"), "metrics");
      Files.createDirectories(capture);
      Files.writeString(capture.resolve("scrape.txt"), scrape);
      assertEquals(4, Scrapes.value(scrape, "herald_events_ingested_total{result=\"created\"}"));
      assertEquals(1, Scrapes.value(scrape, "herald_events_ingested_total{result=\"rejected\"}"));
      assertEquals(4, Scrapes.value(scrape, "herald_deliveries_created_total"));
      assertEquals(2, Scrapes.value(scrape, "herald_delivery_attempts_total{outcome=\"success\"}"));
      assertEquals(
          2,
          Scrapes.value(scrape, "herald_delivery_attempts_total{outcome=\"http_5xx\"}"),
          "an attempt and its retry");
      assertEquals(
          1, Scrapes.value(scrape, "herald_delivery_attempts_total{outcome=\"http_4xx\"}"));
      assertEquals(5, Scrapes.value(scrape, "herald_delivery_attempt_duration_seconds_count"));
      assertEquals(
          4, Scrapes.value(scrape, "herald_delivery_lag_seconds_count"), "first attempts only");
      assertEquals(1, Scrapes.value(scrape, "herald_webhooks_disabled_total{reason=\"gone\"}"));
      assertEquals(
          4, Scrapes.value(scrape, "herald_grpc_server_calls_total{code=\"OK\"," + INGEST + "}"));
      assertEquals(
          1,
          Scrapes.value(
              scrape, "herald_grpc_server_calls_total{code=\"INVALID_ARGUMENT\"," + INGEST + "}"));
      assertEquals(1, Scrapes.value(scrape, "herald_database_up"));
      assertTrue(scrape.contains("jvm_memory_used_bytes"), "the JVM's own metrics are there");
      assertTrue(
          !scrape.contains("proj-ok") && !scrape.contains(ok),
          "no project or delivery id as a label");
    }
  }

  @Test
  void theOldestDueAgeGrowsWhileNothingDelivers() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_ENABLED", "false");
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      herald.webhooks().createWebhook(Requests.webhook("proj-stuck", "http://127.0.0.1:9/hook"));
      ingest(herald, "proj-stuck");
      ingest(herald, "proj-stuck");
      String first =
          Eventually.await(
              "the backlog seen",
              HeraldFixture.WAIT,
              () -> Scrapes.metrics(herald.httpPort()),
              s ->
                  Scrapes.value(s, "herald_queue_due_deliveries") == 2
                      && Scrapes.value(s, "herald_queue_oldest_due_age_seconds") > 0);
      double firstAge = Scrapes.value(first, "herald_queue_oldest_due_age_seconds");
      Eventually.await(
          "the oldest due delivery to age",
          Duration.ofSeconds(30),
          () -> Scrapes.metrics(herald.httpPort()),
          s -> Scrapes.value(s, "herald_queue_oldest_due_age_seconds") >= firstAge + 1);
    }
  }

  private static String ingest(HeraldFixture herald, String project) {
    return herald
        .ingestion()
        .ingestStateChange(Requests.stateChange(project, "bot").build())
        .getDeliveryIds(0);
  }
}
