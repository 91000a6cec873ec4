package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.testing.Eventually;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * HERALD_DISABLE_AFTER_FAILED_DELIVERIES: an endpoint that keeps failing is switched off, and can
 * be switched on.
 */
class EndpointHealthIT {

  @Test
  void disablesAWebhookAfterConsecutiveFailedDeliveriesUntilReenabled() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DISABLE_AFTER_FAILED_DELIVERIES", "2");
    settings.put("HERALD_RETRY_MAX_RETRIES", "0");
    AtomicInteger status = new AtomicInteger(500);
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http().on("/sick", i -> Receiver.Reply.status(status.get()))) {
      Webhook webhook =
          herald.webhooks().createWebhook(Requests.webhook("proj-health", receiver.url("/sick")));
      GetWebhookRequest get = GetWebhookRequest.newBuilder().setId(webhook.getId()).build();

      String first = ingest(herald);
      herald.awaitStatus(first, DeliveryStatus.DELIVERY_STATUS_FAILED);
      assertTrue(herald.webhooks().getWebhook(get).getActive(), "one failure is not enough");
      String second = ingest(herald);
      herald.awaitStatus(second, DeliveryStatus.DELIVERY_STATUS_FAILED);

      Webhook disabled =
          Eventually.await(
              "the webhook to be disabled",
              HeraldFixture.WAIT,
              () -> herald.webhooks().getWebhook(get),
              w -> !w.getActive());
      assertEquals("2 deliveries in a row failed", disabled.getDisabledReason());
      assertEquals(
          0,
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-health", "bot").build())
              .getDeliveryIdsCount());

      status.set(200);
      Webhook enabled =
          herald
              .webhooks()
              .updateWebhook(
                  UpdateWebhookRequest.newBuilder().setId(webhook.getId()).setActive(true).build());
      assertTrue(enabled.getActive());
      assertEquals("", enabled.getDisabledReason());
      herald.awaitStatus(ingest(herald), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);

      // The count starts again after re-enabling: one new failure does not disable it.
      status.set(500);
      herald.awaitStatus(ingest(herald), DeliveryStatus.DELIVERY_STATUS_FAILED);
      assertFalse(!herald.webhooks().getWebhook(get).getActive());
    }
  }

  private static String ingest(HeraldFixture herald) {
    return herald
        .ingestion()
        .ingestStateChange(Requests.stateChange("proj-health", "bot").build())
        .getDeliveryIds(0);
  }
}
