package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which webhooks an event reaches, and what ingesting it twice does. */
class FanOutIT extends ServerWithReceiver {
  private static final Duration WAIT = HeraldFixture.WAIT;

  @Test
  void botLevelWebhooksTakePrecedenceOverTheProjects() {
    String project = newProject();
    Webhook projectHook =
        create(Requests.webhook(project, receiver.url("/" + project + "/project")));
    Webhook botHook =
        create(Requests.botWebhook(project, "bot-with-own", receiver.url("/" + project + "/bot")));

    IngestStateChangeResponse forOwn =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-with-own").build());
    IngestStateChangeResponse forOther =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot-without").build());

    assertEquals(1, forOwn.getDeliveryIdsCount());
    assertEquals(botHook.getId(), delivery(forOwn.getDeliveryIds(0)).getWebhookId());
    assertEquals(1, forOther.getDeliveryIdsCount());
    assertEquals(projectHook.getId(), delivery(forOther.getDeliveryIds(0)).getWebhookId());
    receiver.awaitRequests("/" + project + "/bot", 1, WAIT);
    receiver.awaitRequests("/" + project + "/project", 1, WAIT);
    assertTrue(
        receiver.requests("/" + project + "/bot").get(0).bodyText().contains("\"bot-with-own\""));
  }

  @Test
  void everyMatchingProjectWebhookGetsItsOwnDeliveryAndKey() {
    String project = newProject();
    create(Requests.webhook(project, receiver.url("/" + project + "/a")));
    create(Requests.webhook(project, receiver.url("/" + project + "/b")));
    create(Requests.webhook(newProject(), receiver.url("/" + project + "/other-project")));

    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());

    assertEquals(2, ingested.getDeliveryIdsCount());
    Set<String> keys =
        ingested.getDeliveryIdsList().stream()
            .map(id -> delivery(id).getIdempotencyKey())
            .collect(Collectors.toSet());
    assertEquals(2, keys.size());
    receiver.awaitRequests("/" + project + "/a", 1, WAIT);
    receiver.awaitRequests("/" + project + "/b", 1, WAIT);
    assertTrue(receiver.requests("/" + project + "/other-project").isEmpty());
  }

  @Test
  void aDeletedWebhookGetsNothingNewAndKeepsItsHistory() {
    String project = newProject();
    Webhook webhook = create(Requests.webhook(project, receiver.url("/" + project + "/deleted")));
    IngestStateChangeResponse before =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    herald.awaitStatus(before.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);

    herald
        .webhooks()
        .deleteWebhook(DeleteWebhookRequest.newBuilder().setId(webhook.getId()).build());
    IngestStateChangeResponse after =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());

    assertEquals(0, after.getDeliveryIdsCount());
    List<Delivery> history =
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder()
                    .setProjectId(project)
                    .setWebhookId(webhook.getId())
                    .build())
            .getDeliveriesList();
    assertEquals(1, history.size());
    assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, history.get(0).getStatus());
    assertEquals(1, receiver.requests("/" + project + "/deleted").size());
  }

  @Test
  void deletingEndsPendingRetries() {
    String project = newProject();
    receiver.on("/" + project + "/failing", i -> Receiver.Reply.status(500));
    Webhook webhook = create(Requests.webhook(project, receiver.url("/" + project + "/failing")));
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    herald.awaitAttempts(ingested.getDeliveryIds(0), 1);

    herald
        .webhooks()
        .deleteWebhook(DeleteWebhookRequest.newBuilder().setId(webhook.getId()).build());

    Delivery ended =
        herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_FAILED);
    assertEquals("webhook deleted", ended.getFailureReason());
    assertTrue(
        ended.getAttemptCount() < 4, "stopped early: " + ended.getAttemptCount() + " attempts");
  }

  @Test
  void aDeactivatedWebhookGetsNothingUntilReactivated() {
    String project = newProject();
    Webhook webhook = create(Requests.webhook(project, receiver.url("/" + project + "/paused")));
    herald
        .webhooks()
        .updateWebhook(
            UpdateWebhookRequest.newBuilder().setId(webhook.getId()).setActive(false).build());
    assertEquals(
        0,
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange(project, "bot").build())
            .getDeliveryIdsCount());

    herald
        .webhooks()
        .updateWebhook(
            UpdateWebhookRequest.newBuilder().setId(webhook.getId()).setActive(true).build());
    IngestStateChangeResponse ingested =
        herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    assertEquals(1, ingested.getDeliveryIdsCount());
    herald.awaitStatus(ingested.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
  }

  @Test
  void theSameEventIdTwiceCreatesNothingNew() {
    String project = newProject();
    create(Requests.webhook(project, receiver.url("/" + project + "/dedup")));
    var request = Requests.stateChange(project, "bot").setEventId("evt-42").build();

    IngestStateChangeResponse first = herald.ingestion().ingestStateChange(request);
    IngestStateChangeResponse second = herald.ingestion().ingestStateChange(request);

    assertEquals("evt-42", first.getEventId());
    assertEquals(first, second);
    herald.awaitStatus(first.getDeliveryIds(0), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(1, receiver.requests("/" + project + "/dedup").size());
    assertEquals(
        1,
        herald
            .deliveries()
            .listDeliveries(ListDeliveriesRequest.newBuilder().setProjectId(project).build())
            .getDeliveriesCount());
  }

  /**
   * Concurrent ingestions are written together, several to a transaction; the same event id
   * arriving many times at once, within one batch or across batches, still makes one set of
   * deliveries, and every answer names it.
   */
  @Test
  void concurrentRepeatsOfTheSameEventIdsMakeOneDeliveryEach() throws Exception {
    String project = newProject();
    create(Requests.webhook(project, receiver.url("/" + project + "/burst")));
    ExecutorService callers = Executors.newFixedThreadPool(32);
    try {
      List<Future<IngestStateChangeResponse>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        var request =
            Requests.stateChange(project, "bot-" + (i % 5)).setEventId("evt-" + (i % 20)).build();
        answers.add(callers.submit(() -> herald.ingestion().ingestStateChange(request)));
      }
      Map<String, Set<List<String>>> idsByEvent = new HashMap<>();
      for (Future<IngestStateChangeResponse> answer : answers) {
        IngestStateChangeResponse response = answer.get(30, TimeUnit.SECONDS);
        idsByEvent
            .computeIfAbsent(response.getEventId(), k -> new HashSet<>())
            .add(response.getDeliveryIdsList());
      }
      assertEquals(20, idsByEvent.size());
      idsByEvent.forEach(
          (event, ids) -> assertEquals(1, ids.size(), event + " answered with " + ids));
      assertTrue(idsByEvent.values().stream().allMatch(ids -> ids.iterator().next().size() == 1));
    } finally {
      callers.shutdownNow();
    }
    receiver.awaitRequests("/" + project + "/burst", 20, WAIT);
    assertEquals(
        20,
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder().setProjectId(project).setPageSize(200).build())
            .getDeliveriesCount());
  }

  @Test
  void anEventWithoutIdGetsOneAndIsNotDeduplicated() {
    String project = newProject();
    create(Requests.webhook(project, receiver.url("/" + project + "/no-id")));
    var request = Requests.stateChange(project, "bot").build();

    IngestStateChangeResponse first = herald.ingestion().ingestStateChange(request);
    IngestStateChangeResponse second = herald.ingestion().ingestStateChange(request);

    assertTrue(!first.getEventId().isEmpty() && !first.getEventId().equals(second.getEventId()));
    UUID.fromString(first.getEventId());
    receiver.awaitRequests("/" + project + "/no-id", 2, WAIT);
  }

  private static Webhook create(dev.herald.proto.v1.CreateWebhookRequest request) {
    return herald.webhooks().createWebhook(request);
  }

  private static Delivery delivery(String id) {
    return herald.delivery(id);
  }

  private static String newProject() {
    return "proj-" + UUID.randomUUID();
  }
}
