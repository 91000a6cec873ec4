package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.Webhook;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One tenant cannot starve the others: its webhooks share its project's slots and its
 * destination's, and it may have only so many webhooks and keys signing at once.
 */
class TenantFairnessIT {
  /** Half of the default 32 slots. */
  private static final int PER_PROJECT = 16;

  @Test
  void aProjectWithAHundredHangingWebhooksLeavesOtherProjectsTheirSlots() {
    Map<String, String> settings = HeraldFixture.testSettings();
    // Long enough that no hanging attempt ends while the healthy project is served.
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "30000");
    try (Receiver hanging = Receiver.http();
        Receiver healthy = Receiver.http();
        HeraldFixture herald = HeraldFixture.start(settings)) {
      hanging.on("/hang", i -> Receiver.Reply.hang(java.time.Duration.ofMinutes(2)));
      for (int i = 0; i < 100; i++) {
        herald.webhooks().createWebhook(Requests.webhook("proj-greedy", hanging.url("/hang")));
      }
      herald.webhooks().createWebhook(Requests.webhook("proj-polite", healthy.url("/ok")));

      herald.ingestion().ingestStateChange(Requests.stateChange("proj-greedy", "bot").build());
      hanging.awaitRequests("/hang", PER_PROJECT, HeraldFixture.WAIT);
      for (int i = 0; i < 20; i++) {
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange("proj-polite", "bot-" + i).build());
      }
      healthy.awaitRequests("/ok", 20, HeraldFixture.WAIT);

      assertEquals(
          PER_PROJECT,
          hanging.requests("/hang").size(),
          "the greedy project holds its share of the slots and no more");
      List<Delivery> greedy =
          herald
              .deliveries()
              .listDeliveries(
                  ListDeliveriesRequest.newBuilder()
                      .setProjectId("proj-greedy")
                      .setPageSize(200)
                      .build())
              .getDeliveriesList();
      assertEquals(100, greedy.size());
      assertTrue(
          greedy.stream().allMatch(d -> d.getAttemptCount() == 0),
          "every healthy delivery arrived before any hanging attempt ended");
      // Ending the hanging attempts before the server stops lets it stop at once.
      hanging.stopAnswering();
    }
  }

  @Test
  void aProjectHasAtMostItsQuotaOfWebhooksAndOfKeysSigning() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_MAX_WEBHOOKS_PER_PROJECT", "3");
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      String project = "proj-quota";
      Webhook first =
          herald.webhooks().createWebhook(Requests.webhook(project, "https://hooks.example.com/1"));
      herald.webhooks().createWebhook(Requests.webhook(project, "https://hooks.example.com/2"));
      herald.webhooks().createWebhook(Requests.webhook(project, "https://hooks.example.com/3"));
      Map<String, List<String>> before = herald.snapshot();
      StatusRuntimeException fourth =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  herald
                      .webhooks()
                      .createWebhook(Requests.webhook(project, "https://hooks.example.com/4")));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, fourth.getStatus().getCode());
      assertTrue(
          fourth.getStatus().getDescription().contains("quota"),
          fourth.getStatus().getDescription());
      assertEquals(before, herald.snapshot(), "nothing stored");
      herald
          .webhooks()
          .createWebhook(Requests.webhook("proj-other", "https://hooks.example.com/other"));
      herald
          .webhooks()
          .deleteWebhook(DeleteWebhookRequest.newBuilder().setId(first.getId()).build());
      herald.webhooks().createWebhook(Requests.webhook(project, "https://hooks.example.com/4"));

      RotateSigningSecretRequest rotate =
          RotateSigningSecretRequest.newBuilder()
              .setProjectId(project)
              .setOverlap(Duration.newBuilder().setSeconds(3600))
              .build();
      herald.webhooks().rotateSigningSecret(rotate);
      assertEquals(
          2,
          herald.webhooks().rotateSigningSecret(rotate).getPreviousSecretsCount(),
          "three keys sign");
      StatusRuntimeException fourthKey =
          assertThrows(
              StatusRuntimeException.class, () -> herald.webhooks().rotateSigningSecret(rotate));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, fourthKey.getStatus().getCode());
      assertTrue(
          fourthKey.getStatus().getDescription().contains("quota"),
          fourthKey.getStatus().getDescription());
    }
  }
}
