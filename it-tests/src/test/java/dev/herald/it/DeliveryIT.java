package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.SigningSecret;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path: IngestStateChange in, a signed POST out, every attempt recorded.
 *
 * <p>Past 250 lines as one class because each case is one step of the same path, over one server
 * and one receiver.
 */
class DeliveryIT {
  private static final Duration WAIT = HeraldFixture.WAIT;

  private static HeraldFixture herald;
  private static Receiver receiver;
  private static Receiver tlsReceiver;

  @BeforeAll
  static void start() {
    herald = HeraldFixture.start();
    receiver = Receiver.http();
    tlsReceiver = Receiver.https();
  }

  @AfterAll
  static void stop() {
    herald.close();
    receiver.close();
    tlsReceiver.close();
  }

  @Test
  void postsTheDocumentedPayloadByteForByteWithVerifiableSignatures() {
    String project = newProject();
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/payload")));
    Struct metadata =
        Struct.newBuilder()
            .putFields("zeta", Value.newBuilder().setNumberValue(1).build())
            .putFields("quote", Value.newBuilder().setStringValue("say \"hi\"\n").build())
            .putFields(
                "alpha",
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields("b", list(bool(true), nullValue(), number(2.5)))
                            .putFields(
                                "a", Value.newBuilder().setStringValue("héllo 世界 😀").build()))
                    .build())
            .build();
    IngestStateChangeResponse ingested =
        herald
            .ingestion()
            .ingestStateChange(
                Requests.stateChange(project, "bot-1").setBotMetadata(metadata).build());

    Receiver.Request request = receiver.awaitRequests("/payload", 1, WAIT).get(0);
    Delivery delivery =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    String key = delivery.getIdempotencyKey();
    // The key a subscriber quotes finds the delivery.
    assertEquals(delivery.getId(), key);
    String expected =
        "{\"bot_id\":\"bot-1\","
            + "\"bot_metadata\":{\"alpha\":{\"a\":\"héllo 世界 😀\",\"b\":[true,null,2.5]},"
            + "\"quote\":\"say \\\"hi\\\"\\n\",\"zeta\":1},"
            + "\"data\":{\"created_at\":\"2023-07-15T14:30:45.123456Z\",\"event_sub_type\":null,"
            + "\"event_type\":\"post_processing_completed\",\"new_state\":\"ended\","
            + "\"old_state\":\"post_processing\"},"
            + "\"idempotency_key\":\""
            + key
            + "\",\"trigger\":\"bot.state_change\"}";
    assertEquals(expected, request.bodyText());
    assertEquals(expected, delivery.getPayload());
    assertEquals("bot.state_change", delivery.getTrigger());
    assertEquals(receiver.url("/payload"), delivery.getUrl());
    assertEquals("application/json", request.header("Content-Type"));
    assertTrue(
        request.header("User-Agent").startsWith("Herald-Webhooks/"), request.header("User-Agent"));

    SigningSecret secret =
        herald
            .webhooks()
            .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(project).build());
    assertEquals(32, java.util.Base64.getDecoder().decode(secret.getSecret()).length);
    assertEquals("whsec_" + secret.getSecret(), secret.getStandardSecret());
    assertEquals(
        Signatures.expectedBodySignature(secret.getSecret(), request.body()),
        request.header("X-Webhook-Signature"));
    assertEquals(key, request.header("webhook-id"));
    long timestamp = Long.parseLong(request.header("webhook-timestamp"));
    assertTrue(Math.abs(Instant.now().getEpochSecond() - timestamp) < 60, "fresh timestamp");
    assertEquals(
        Signatures.expectedStandardSignature(
            secret.getStandardSecret(), key, request.header("webhook-timestamp"), request.body()),
        request.header("webhook-signature"));
  }

  @Test
  void sendsNullForAnAbsentOldStateAndSubTypeAndTheIngestTimeForAnAbsentCreatedAt() {
    String project = newProject();
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/nulls")));
    Instant before = Instant.now();
    herald
        .ingestion()
        .ingestStateChange(
            Requests.stateChange(project, "bot-new")
                .clearOldState()
                .clearCreatedAt()
                .setNewState("joining")
                .build());
    herald
        .ingestion()
        .ingestStateChange(
            Requests.stateChange(project, "bot-new").setEventSubType("meeting_full").build());

    List<Receiver.Request> requests = receiver.awaitRequests("/nulls", 2, WAIT);
    String first =
        requests.stream()
            .map(Receiver.Request::bodyText)
            .filter(b -> b.contains("joining"))
            .findFirst()
            .orElseThrow();
    assertTrue(first.contains("\"old_state\":null"), first);
    assertTrue(first.contains("\"event_sub_type\":null"), first);
    String createdAt = first.replaceAll(".*\"created_at\":\"([^\"]+)\".*", "$1");
    assertTrue(createdAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), createdAt);
    assertTrue(!Instant.parse(createdAt).isBefore(before.minusSeconds(1)), createdAt);
    assertTrue(
        requests.stream()
            .anyMatch(r -> r.bodyText().contains("\"event_sub_type\":\"meeting_full\"")));
  }

  @Test
  void deliversOverHttpsToACertificateTrustedByTheJvm() {
    String project = newProject();
    herald.webhooks().createWebhook(Requests.webhook(project, tlsReceiver.url("/tls")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-tls").build());

    Delivery delivery =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(1, delivery.getAttemptCount());
    assertEquals(200, delivery.getAttempts(0).getResponseStatusCode());
    assertEquals(1, tlsReceiver.requests("/tls").size());
  }

  @Test
  void retriesA500ThreeTimesThenFails() {
    String project = newProject();
    receiver.on("/always-500", i -> Receiver.Reply.status(500, "boom " + i));
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/always-500")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-500").build());

    Delivery delivery =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_FAILED);
    assertEquals(4, delivery.getAttemptCount());
    assertEquals(4, delivery.getAttemptsCount());
    for (int i = 0; i < 4; i++) {
      DeliveryAttempt attempt = delivery.getAttempts(i);
      assertEquals(i + 1, attempt.getAttemptNumber());
      assertEquals(500, attempt.getResponseStatusCode());
      assertEquals("boom " + i, attempt.getResponseBody());
      assertFalse(attempt.getSucceeded());
    }
    List<Receiver.Request> requests = receiver.requests("/always-500");
    assertEquals(4, requests.size());
    assertTrue(
        requests.stream()
            .allMatch(r -> r.header("webhook-id").equals(delivery.getIdempotencyKey())));
    assertTrue(requests.stream().allMatch(r -> r.bodyText().equals(delivery.getPayload())));

    // The gaps between the attempts are RetryScheduleIT's subject, on a clock it controls.
    assertFalse(delivery.hasNextAttemptTime());
    assertFalse(delivery.hasSucceededTime());
  }

  @Test
  void succeedsOnTheThirdAttempt() {
    String project = newProject();
    receiver.on("/third-time", i -> Receiver.Reply.status(i < 2 ? 503 : 204));
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/third-time")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-3").build());

    Delivery delivery =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(3, delivery.getAttemptCount());
    assertEquals(
        List.of(503, 503, 204),
        delivery.getAttemptsList().stream().map(DeliveryAttempt::getResponseStatusCode).toList());
    assertTrue(delivery.getAttempts(2).getSucceeded());
    assertTrue(delivery.hasSucceededTime());
    assertFalse(delivery.hasNextAttemptTime());
  }

  @Test
  void recordsATimeoutWhenTheReceiverNeverAnswers() {
    String project = newProject();
    receiver.on("/hang", i -> Receiver.Reply.hang(Duration.ofSeconds(5)));
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/hang")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-hang").build());

    Delivery delivery = herald.awaitAttempts(ingested.getDeliveryIds(0), 1);
    DeliveryAttempt attempt = delivery.getAttempts(0);
    assertEquals("timeout", attempt.getError());
    assertEquals(0, attempt.getResponseStatusCode());
    assertTrue(
        attempt.getDurationMs() >= 900 && attempt.getDurationMs() < 3000,
        attempt.getDurationMs() + " ms");
    assertFalse(attempt.getSucceeded());
  }

  @Test
  void recordsARefusedConnection() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String project = newProject();
    herald
        .webhooks()
        .createWebhook(Requests.webhook(project, "http://localhost:" + closedPort + "/gone"));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-refused").build());

    DeliveryAttempt attempt = herald.awaitAttempts(ingested.getDeliveryIds(0), 1).getAttempts(0);
    assertEquals("connection refused", attempt.getError());
    assertEquals(0, attempt.getResponseStatusCode());
  }

  @Test
  void doesNotFollowRedirects() {
    String project = newProject();
    receiver.on(
        "/moved",
        i ->
            new Receiver.Reply(
                302, "", Duration.ZERO, Map.of("Location", receiver.url("/elsewhere"))));
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/moved")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-302").build());

    DeliveryAttempt attempt = herald.awaitAttempts(ingested.getDeliveryIds(0), 1).getAttempts(0);
    assertEquals(302, attempt.getResponseStatusCode());
    assertFalse(attempt.getSucceeded());
    assertTrue(receiver.requests("/elsewhere").isEmpty());
  }

  @Test
  void keepsOnlyTheFirst2KibOfAResponseBody() {
    String project = newProject();
    String large = "x".repeat(10_000);
    receiver.on("/large", i -> Receiver.Reply.status(200, large));
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/large")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-large").build());

    Delivery delivery =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(large.substring(0, 2048), delivery.getAttempts(0).getResponseBody());
    assertEquals(
        2048, delivery.getAttempts(0).getResponseBody().getBytes(StandardCharsets.UTF_8).length);
  }

  private static String newProject() {
    return "proj-" + UUID.randomUUID();
  }

  private static Value list(Value... values) {
    return Value.newBuilder()
        .setListValue(ListValue.newBuilder().addAllValues(List.of(values)))
        .build();
  }

  private static Value bool(boolean value) {
    return Value.newBuilder().setBoolValue(value).build();
  }

  private static Value number(double value) {
    return Value.newBuilder().setNumberValue(value).build();
  }

  private static Value nullValue() {
    return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
  }
}
