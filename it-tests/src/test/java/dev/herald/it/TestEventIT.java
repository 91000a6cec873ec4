package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.SendTestEventRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SendTestEvent: a signed webhook.test delivery to one webhook only, recorded like any other. */
class TestEventIT extends ServerWithReceiver {

  @Test
  void aTestEventReachesOnlyItsWebhookSignedAndIsRecorded() {
    Webhook tested =
        herald.webhooks().createWebhook(Requests.webhook("proj-test", receiver.url("/tested")));
    herald.webhooks().createWebhook(Requests.webhook("proj-test", receiver.url("/other")));

    String id =
        herald
            .webhooks()
            .sendTestEvent(SendTestEventRequest.newBuilder().setWebhookId(tested.getId()).build())
            .getDeliveryId();

    Receiver.Request request = receiver.awaitRequests("/tested", 1, Duration.ofSeconds(20)).get(0);
    String body = request.bodyText();
    assertTrue(body.contains("\"trigger\":\"webhook.test\""), body);
    assertTrue(body.contains("\"message\":\"A test event from Herald"), body);
    String secret =
        herald
            .webhooks()
            .getSigningSecret(
                GetSigningSecretRequest.newBuilder().setProjectId("proj-test").build())
            .getSecret();
    assertEquals(
        Signatures.expectedBodySignature(secret, request.body()),
        request.header("X-Webhook-Signature"));

    Delivery delivery = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(tested.getId(), delivery.getWebhookId());
    assertEquals(body, delivery.getPayload());
    assertEquals(List.of(), receiver.requests("/other"), "no other webhook receives it");
  }

  @Test
  void anInactiveWebhookIsRefusedATestEvent() {
    Webhook webhook =
        herald.webhooks().createWebhook(Requests.webhook("proj-test-off", receiver.url("/off")));
    herald
        .webhooks()
        .updateWebhook(
            UpdateWebhookRequest.newBuilder().setId(webhook.getId()).setActive(false).build());
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .webhooks()
                    .sendTestEvent(
                        SendTestEventRequest.newBuilder().setWebhookId(webhook.getId()).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
  }

  @Test
  void noWebhookMaySubscribeToTestEvents() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .webhooks()
                    .createWebhook(
                        Requests.webhook("proj-test", receiver.url("/sub")).toBuilder()
                            .clearTriggers()
                            .addTriggers("webhook.test")
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
  }
}
