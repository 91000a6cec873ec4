package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.RecoverDeliveriesRequest;
import dev.herald.proto.v1.RetryDeliveryRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input on every RPC: INVALID_ARGUMENT naming the field, nothing stored, no stack trace. Runs
 * with the production defaults for URLs: https only, no private networks.
 *
 * <p>Past 250 lines as one class because it is one list of bad inputs, a case per RPC, over one
 * server, with the checks written once at the end.
 */
class ValidationIT {
  private static final String PROJECT = "proj-validation";
  private static HeraldFixture herald;
  private static Webhook existing;

  @BeforeAll
  static void start() {
    Map<String, String> settings = new HashMap<>(HeraldFixture.testSettings());
    settings.remove("HERALD_REQUIRE_HTTPS");
    settings.remove("HERALD_ALLOW_PRIVATE_NETWORKS");
    herald = HeraldFixture.start(settings);
    existing =
        herald.webhooks().createWebhook(Requests.webhook(PROJECT, "https://hooks.example.com/h"));
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void createWebhookNamesEachBadField() {
    CreateWebhookRequest valid = Requests.webhook(PROJECT, "https://hooks.example.com/x");
    assertInvalid("project_id", () -> create(valid.toBuilder().clearProjectId()));
    assertInvalid("project_id", () -> create(valid.toBuilder().setProjectId("has space")));
    assertInvalid("project_id", () -> create(valid.toBuilder().setProjectId("p".repeat(129))));
    assertInvalid("url", () -> create(valid.toBuilder().clearUrl()));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("http://hooks.example.com/x")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("not a url")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https:///no-host")));
    assertInvalid(
        "url",
        () -> create(valid.toBuilder().setUrl("https://hooks.example.com/" + "a".repeat(2030))));
    assertInvalid(
        "url", () -> create(valid.toBuilder().setUrl("https://user:pw@hooks.example.com/x")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https://127.0.0.1/x")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https://localhost:8443/x")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https://10.1.2.3/x")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https://169.254.169.254/latest")));
    assertInvalid("url", () -> create(valid.toBuilder().setUrl("https://[::1]/x")));
    assertInvalid("triggers", () -> create(valid.toBuilder().clearTriggers()));
    assertInvalid(
        "triggers[0]", () -> create(valid.toBuilder().clearTriggers().addTriggers("bot.exploded")));
    assertInvalid("triggers[1]", () -> create(valid.toBuilder().addTriggers(Requests.TRIGGER)));
    assertInvalid("bot_id", () -> create(valid.toBuilder().setBotId("b".repeat(200))));
  }

  @Test
  void aUrlExactlyAtTheLimitIsAccepted() {
    String base = "https://hooks.example.com/";
    String url = base + "a".repeat(2048 - base.length());
    Webhook created = herald.webhooks().createWebhook(Requests.webhook("proj-limit", url));
    assertEquals(url, created.getUrl());
  }

  @Test
  void webhookReadsAndChangesNameBadIdsAndRefuseUnknownOnes() {
    String unknown = UUID.randomUUID().toString();
    assertInvalid(
        "id",
        () -> herald.webhooks().getWebhook(GetWebhookRequest.newBuilder().setId("nope").build()));
    assertInvalid("id", () -> herald.webhooks().getWebhook(GetWebhookRequest.getDefaultInstance()));
    assertNotFound(
        () -> herald.webhooks().getWebhook(GetWebhookRequest.newBuilder().setId(unknown).build()));
    assertInvalid(
        "project_id",
        () -> herald.webhooks().listWebhooks(ListWebhooksRequest.getDefaultInstance()));
    assertInvalid(
        "page_size",
        () ->
            herald
                .webhooks()
                .listWebhooks(
                    ListWebhooksRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setPageSize(-1)
                        .build()));
    assertInvalid(
        "page_token",
        () ->
            herald
                .webhooks()
                .listWebhooks(
                    ListWebhooksRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setPageToken("garbage!")
                        .build()));
    assertInvalid(
        "id",
        () ->
            herald.webhooks().updateWebhook(UpdateWebhookRequest.newBuilder().setId("x").build()));
    assertInvalid(
        "url",
        () ->
            herald
                .webhooks()
                .updateWebhook(
                    UpdateWebhookRequest.newBuilder()
                        .setId(existing.getId())
                        .setUrl("ftp://x")
                        .build()));
    assertInvalid(
        "triggers[0]",
        () ->
            herald
                .webhooks()
                .updateWebhook(
                    UpdateWebhookRequest.newBuilder()
                        .setId(existing.getId())
                        .addTriggers("nope")
                        .build()));
    assertNotFound(
        () ->
            herald
                .webhooks()
                .updateWebhook(
                    UpdateWebhookRequest.newBuilder().setId(unknown).setActive(false).build()));
    assertInvalid(
        "id",
        () ->
            herald.webhooks().deleteWebhook(DeleteWebhookRequest.newBuilder().setId("1").build()));
    assertNotFound(
        () ->
            herald
                .webhooks()
                .deleteWebhook(DeleteWebhookRequest.newBuilder().setId(unknown).build()));
    assertInvalid(
        "project_id",
        () -> herald.webhooks().getSigningSecret(GetSigningSecretRequest.getDefaultInstance()));
    assertEquals(
        existing,
        herald
            .webhooks()
            .getWebhook(GetWebhookRequest.newBuilder().setId(existing.getId()).build()));
  }

  @Test
  void ingestNamesEachBadField() {
    IngestStateChangeRequest valid = Requests.stateChange(PROJECT, "bot").build();
    assertInvalid("project_id", () -> ingest(valid.toBuilder().clearProjectId()));
    assertInvalid("bot_id", () -> ingest(valid.toBuilder().clearBotId()));
    assertInvalid("new_state", () -> ingest(valid.toBuilder().clearNewState()));
    assertInvalid("event_type", () -> ingest(valid.toBuilder().clearEventType()));
    assertInvalid("old_state", () -> ingest(valid.toBuilder().setOldState("bad\u0001state")));
    assertInvalid(
        "event_sub_type", () -> ingest(valid.toBuilder().setEventSubType("x".repeat(500))));
    assertInvalid("event_id", () -> ingest(valid.toBuilder().setEventId("e".repeat(129))));
    assertInvalid(
        "created_at",
        () ->
            ingest(
                valid.toBuilder().setCreatedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))));
    assertInvalid(
        "bot_metadata", () -> ingest(valid.toBuilder().setBotMetadata(metadataOfBytes(70_000))));
    assertInvalid(
        "bot_metadata",
        () ->
            ingest(
                valid.toBuilder()
                    .setBotMetadata(
                        Struct.newBuilder()
                            .putFields(
                                "n", Value.newBuilder().setNumberValue(Double.NaN).build()))));
    assertInvalid("bot_metadata", () -> ingest(valid.toBuilder().setBotMetadata(nested(16))));
    // Past protobuf's own recursion limit the request cannot even be parsed; still the field is
    // named.
    assertInvalid("bot_metadata", () -> ingest(valid.toBuilder().setBotMetadata(nested(40))));
    assertInvalid("bot_metadata", () -> ingest(valid.toBuilder().setBotMetadata(nested(200))));
  }

  @Test
  void aMessageOverOneMebibyteIsRefusedBeforeItIsRead() {
    Map<String, List<String>> before = herald.snapshot();
    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ingest(
                    Requests.stateChange("proj-huge", "bot")
                        .setBotMetadata(metadataOfBytes(2 << 20))));
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED, error.getStatus().getCode(), error.getStatus().toString());
    assertEquals(before, herald.snapshot());
  }

  @Test
  void metadataOfTooManyValuesIsRefusedBeforeAnyNumberIsFormatted() {
    IngestStateChangeRequest.Builder valid = Requests.stateChange(PROJECT, "bot");
    // About 95,000 subnormal doubles in under 1 MiB: formatting each as Python would took 4.6 s
    // of CPU for one request; counted first, it is refused after 1,025 values.
    assertInvalid("bot_metadata", () -> ingest(valid.clone().setBotMetadata(subnormals(95_000))));
    assertInvalid("bot_metadata", () -> ingest(valid.clone().setBotMetadata(subnormals(1_024))));
    // A project without webhooks: nothing is delivered later to change what other tests compare.
    var accepted =
        ingest(Requests.stateChange("proj-no-webhooks", "bot").setBotMetadata(subnormals(1_022)));
    assertFalse(
        accepted.getEventId().isEmpty(), "1,022 numbers, their list and the object: 1,024 values");
  }

  @Test
  void metadataJustUnderTheLimitIsAccepted() {
    var response =
        ingest(Requests.stateChange("proj-meta", "bot").setBotMetadata(metadataOfBytes(60_000)));
    assertFalse(response.getEventId().isEmpty());
  }

  @Test
  void deliveryReadsNameBadFields() {
    assertInvalid(
        "project_id",
        () -> herald.deliveries().listDeliveries(ListDeliveriesRequest.getDefaultInstance()));
    ListDeliveriesRequest valid = ListDeliveriesRequest.newBuilder().setProjectId(PROJECT).build();
    assertInvalid(
        "webhook_id",
        () -> herald.deliveries().listDeliveries(valid.toBuilder().setWebhookId("w").build()));
    assertInvalid(
        "status",
        () -> herald.deliveries().listDeliveries(valid.toBuilder().setStatusValue(99).build()));
    assertInvalid(
        "page_size",
        () -> herald.deliveries().listDeliveries(valid.toBuilder().setPageSize(-5).build()));
    assertInvalid(
        "page_token",
        () -> herald.deliveries().listDeliveries(valid.toBuilder().setPageToken("AAAA").build()));
    assertInvalid(
        "bot_id",
        () -> herald.deliveries().listDeliveries(valid.toBuilder().setBotId("a b").build()));
    assertInvalid(
        "id",
        () -> herald.deliveries().getDelivery(GetDeliveryRequest.newBuilder().setId("d").build()));
    assertNotFound(
        () ->
            herald
                .deliveries()
                .getDelivery(
                    GetDeliveryRequest.newBuilder().setId(UUID.randomUUID().toString()).build()));
  }

  @Test
  void rotationNamesBadFields() {
    assertInvalid(
        "project_id",
        () ->
            herald.webhooks().rotateSigningSecret(RotateSigningSecretRequest.getDefaultInstance()));
    assertInvalid(
        "overlap",
        () ->
            herald
                .webhooks()
                .rotateSigningSecret(
                    RotateSigningSecretRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setOverlap(com.google.protobuf.Duration.newBuilder().setSeconds(-5))
                        .build()));
    assertInvalid(
        "overlap",
        () ->
            herald
                .webhooks()
                .rotateSigningSecret(
                    RotateSigningSecretRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setOverlap(
                            com.google.protobuf.Duration.newBuilder().setSeconds(31L * 86_400))
                        .build()));
  }

  @Test
  void recoveryNamesBadFields() {
    assertInvalid(
        "id",
        () ->
            herald
                .deliveries()
                .retryDelivery(RetryDeliveryRequest.newBuilder().setId("x").build()));
    assertNotFound(
        () ->
            herald
                .deliveries()
                .retryDelivery(
                    RetryDeliveryRequest.newBuilder().setId(UUID.randomUUID().toString()).build()));
    RecoverDeliveriesRequest valid =
        RecoverDeliveriesRequest.newBuilder()
            .setProjectId(PROJECT)
            .setWebhookId(existing.getId())
            .build();
    assertInvalid(
        "project_id",
        () -> herald.deliveries().recoverDeliveries(valid.toBuilder().clearProjectId().build()));
    assertInvalid(
        "webhook_id",
        () -> herald.deliveries().recoverDeliveries(valid.toBuilder().setWebhookId("w").build()));
    assertInvalid(
        "until",
        () ->
            herald
                .deliveries()
                .recoverDeliveries(
                    valid.toBuilder()
                        .setSince(
                            Requests.timestamp(java.time.Instant.parse("2026-01-02T00:00:00Z")))
                        .setUntil(
                            Requests.timestamp(java.time.Instant.parse("2026-01-01T00:00:00Z")))
                        .build()));
    assertNotFound(
        () ->
            herald
                .deliveries()
                .recoverDeliveries(valid.toBuilder().setProjectId("proj-someone-else").build()));
  }

  private static Webhook create(CreateWebhookRequest.Builder request) {
    return herald.webhooks().createWebhook(request.build());
  }

  private static dev.herald.proto.v1.IngestStateChangeResponse ingest(
      IngestStateChangeRequest.Builder request) {
    return herald.ingestion().ingestStateChange(request.build());
  }

  /**
   * The call fails with INVALID_ARGUMENT naming {@code field}, shows no stack trace, stores
   * nothing.
   */
  private static void assertInvalid(String field, Executable call) {
    Map<String, List<String>> before = herald.snapshot();
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call);
    assertEquals(
        Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.getStatus().toString());
    List<String> fields = violatedFields(error);
    assertTrue(fields.contains(field), "expected a violation of " + field + ", got " + fields);
    String description = error.getStatus().getDescription();
    assertTrue(description.contains(field), description);
    assertFalse(description.contains("Exception") || description.contains("\tat "), description);
    assertEquals(before, herald.snapshot(), "a refused call stores nothing");
  }

  private static void assertNotFound(Executable call) {
    Map<String, List<String>> before = herald.snapshot();
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.NOT_FOUND, error.getStatus().getCode(), error.getStatus().toString());
    assertEquals(before, herald.snapshot());
  }

  private static List<String> violatedFields(StatusRuntimeException error) {
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    assertTrue(status != null && status.getDetailsCount() == 1, "a BadRequest detail");
    try {
      return status.getDetails(0).unpack(BadRequest.class).getFieldViolationsList().stream()
          .map(BadRequest.FieldViolation::getField)
          .toList();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static Struct metadataOfBytes(int bytes) {
    return Struct.newBuilder()
        .putFields("blob", Value.newBuilder().setStringValue("m".repeat(bytes)).build())
        .build();
  }

  private static Struct subnormals(int count) {
    ListValue.Builder numbers = ListValue.newBuilder();
    for (int i = 0; i < count; i++) {
      numbers.addValues(
          Value.newBuilder().setNumberValue(Double.MIN_NORMAL - (i + 1) * Double.MIN_VALUE));
    }
    return Struct.newBuilder()
        .putFields("numbers", Value.newBuilder().setListValue(numbers).build())
        .build();
  }

  private static Struct nested(int depth) {
    Struct struct =
        Struct.newBuilder()
            .putFields("leaf", Value.newBuilder().setBoolValue(true).build())
            .build();
    for (int i = 0; i < depth; i++) {
      struct =
          Struct.newBuilder()
              .putFields("n", Value.newBuilder().setStructValue(struct).build())
              .build();
    }
    return struct;
  }
}
