package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.ListWebhooksResponse;
import dev.herald.proto.v1.Webhook;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Opaque page tokens, stable order, no duplicates or gaps while rows are added. */
class PagingIT {
  private static HeraldFixture herald;
  private static Receiver receiver;

  @BeforeAll
  static void start() {
    // Ingest only: these tests page through stored rows and need no delivery to happen.
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_ENABLED", "false");
    settings.put("HERALD_MAX_WEBHOOKS_PER_PROJECT", "200"); // pages of 50 through 120 webhooks
    herald = HeraldFixture.start(settings);
    receiver = Receiver.http();
  }

  @AfterAll
  static void stop() {
    herald.close();
    receiver.close();
  }

  @Test
  void pagesThrough250DeliveriesNewestFirstWhileMoreArrive() {
    String project = "proj-paging";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/paging")));
    List<String> ingestedIds = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      IngestStateChangeResponse response =
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange(project, "bot-" + (i % 7)).build());
      ingestedIds.add(response.getDeliveryIds(0));
    }

    List<Delivery> seen = new ArrayList<>();
    List<String> arrivedMeanwhile = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListDeliveriesResponse page =
          herald
              .deliveries()
              .listDeliveries(
                  ListDeliveriesRequest.newBuilder()
                      .setProjectId(project)
                      .setPageSize(100)
                      .setPageToken(token)
                      .build());
      seen.addAll(page.getDeliveriesList());
      token = page.getNextPageToken();
      pages++;
      // New deliveries arrive between pages; they are newer than the listing's start.
      arrivedMeanwhile.add(
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange(project, "late").build())
              .getDeliveryIds(0));
    } while (!token.isEmpty());

    assertEquals(3, pages);
    List<String> seenIds = seen.stream().map(Delivery::getId).toList();
    assertEquals(250, seenIds.size());
    assertEquals(250, new HashSet<>(seenIds).size(), "no duplicates");
    assertEquals(reversed(ingestedIds), seenIds, "newest first, none missing");
    assertTrue(
        seen.stream().allMatch(d -> d.getStatus() == DeliveryStatus.DELIVERY_STATUS_PENDING));
    assertTrue(arrivedMeanwhile.stream().noneMatch(seenIds::contains));
  }

  @Test
  void filtersByBotWebhookAndStatus() {
    String project = "proj-filters";
    Webhook first = herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/f1")));
    Webhook second =
        herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/f2")));
    for (int i = 0; i < 5; i++) {
      herald
          .ingestion()
          .ingestStateChange(Requests.stateChange(project, i < 2 ? "bot-a" : "bot-b").build());
    }
    ListDeliveriesRequest all = ListDeliveriesRequest.newBuilder().setProjectId(project).build();

    assertEquals(10, herald.deliveries().listDeliveries(all).getDeliveriesCount());
    assertEquals(
        4,
        herald
            .deliveries()
            .listDeliveries(all.toBuilder().setBotId("bot-a").build())
            .getDeliveriesCount());
    List<Delivery> ofFirst =
        herald
            .deliveries()
            .listDeliveries(all.toBuilder().setWebhookId(first.getId()).build())
            .getDeliveriesList();
    assertEquals(5, ofFirst.size());
    assertTrue(ofFirst.stream().allMatch(d -> d.getWebhookId().equals(first.getId())));
    assertEquals(
        5,
        herald
            .deliveries()
            .listDeliveries(
                all.toBuilder()
                    .setWebhookId(second.getId())
                    .setStatus(DeliveryStatus.DELIVERY_STATUS_PENDING)
                    .build())
            .getDeliveriesCount());
    assertEquals(
        0,
        herald
            .deliveries()
            .listDeliveries(
                all.toBuilder().setStatus(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED).build())
            .getDeliveriesCount());
    assertEquals(
        0,
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder()
                    .setProjectId("proj-other")
                    .setWebhookId(first.getId())
                    .build())
            .getDeliveriesCount());
  }

  @Test
  void pagesThroughWebhooksOldestFirst() {
    String project = "proj-webhook-pages";
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      created.add(
          herald
              .webhooks()
              .createWebhook(Requests.webhook(project, receiver.url("/w" + i)))
              .getId());
    }
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListWebhooksResponse page =
          herald
              .webhooks()
              .listWebhooks(
                  ListWebhooksRequest.newBuilder()
                      .setProjectId(project)
                      .setPageSize(50)
                      .setPageToken(token)
                      .build());
      page.getWebhooksList()
          .forEach(
              w -> {
                seen.add(w.getId());
                order.add(w.getId());
              });
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertEquals(3, pages);
    assertEquals(120, seen.size());
    assertEquals(created, order);
  }

  @Test
  void aPageSizeAboveTheMaximumIsLowered() {
    String project = "proj-big-page";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/big")));
    for (int i = 0; i < 205; i++) {
      herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    }
    ListDeliveriesResponse page =
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder()
                    .setProjectId(project)
                    .setPageSize(10_000)
                    .build());
    assertEquals(200, page.getDeliveriesCount());
    assertTrue(!page.getNextPageToken().isEmpty());
  }

  private static List<String> reversed(List<String> ids) {
    List<String> copy = new ArrayList<>(ids);
    java.util.Collections.reverse(copy);
    return copy;
  }
}
