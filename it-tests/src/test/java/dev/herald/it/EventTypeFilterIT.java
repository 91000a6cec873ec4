package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.EventTypes;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A webhook's event-type filter: only the named types of bot.state_change create deliveries for it;
 * nothing is stored for the others; an empty filter receives every type again.
 */
class EventTypeFilterIT extends ServerWithReceiver {
  private static final String PROJECT = "proj-types";

  @Test
  void onlyTheNamedEventTypesReachAFilteredWebhook() {
    CreateWebhookRequest completions =
        Requests.webhook(PROJECT, receiver.url("/completed")).toBuilder()
            .addEventTypes("post_processing_completed")
            .build();
    Webhook filtered = herald.webhooks().createWebhook(completions);
    assertEquals(List.of("post_processing_completed"), filtered.getEventTypesList());
    herald.webhooks().createWebhook(Requests.webhook(PROJECT, receiver.url("/everything")));

    IngestStateChangeResponse joined = ingest("bot-a", "bot_joined_meeting");
    IngestStateChangeResponse completed = ingest("bot-b", "post_processing_completed");
    assertEquals(1, joined.getDeliveryIdsCount(), "only the unfiltered webhook");
    assertEquals(2, completed.getDeliveryIdsCount(), "both webhooks");

    receiver.awaitRequests("/everything", 2, Duration.ofSeconds(20));
    List<Receiver.Request> received =
        receiver.awaitRequests("/completed", 1, Duration.ofSeconds(20));
    assertTrue(received.get(0).bodyText().contains("\"event_type\":\"post_processing_completed\""));
    assertEquals(
        1,
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder()
                    .setProjectId(PROJECT)
                    .setWebhookId(filtered.getId())
                    .build())
            .getDeliveriesCount(),
        "nothing stored for the filtered-out event");

    Webhook cleared =
        herald
            .webhooks()
            .updateWebhook(
                UpdateWebhookRequest.newBuilder()
                    .setId(filtered.getId())
                    .setEventTypes(EventTypes.getDefaultInstance())
                    .build());
    assertEquals(List.of(), cleared.getEventTypesList());
    assertEquals(2, ingest("bot-c", "bot_joined_meeting").getDeliveryIdsCount());
  }

  @Test
  void aFilterNamingATypeTwiceIsRefusedNamingTheField() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .webhooks()
                    .createWebhook(
                        Requests.webhook(PROJECT, receiver.url("/twice")).toBuilder()
                            .addEventTypes("recording_started")
                            .addEventTypes("recording_started")
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("event_types[1]"));
  }

  private static IngestStateChangeResponse ingest(String botId, String eventType) {
    return herald
        .ingestion()
        .ingestStateChange(Requests.stateChange(PROJECT, botId).setEventType(eventType).build());
  }
}
