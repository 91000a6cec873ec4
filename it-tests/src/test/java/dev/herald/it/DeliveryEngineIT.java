package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.RecoverDeliveriesRequest;
import dev.herald.proto.v1.RetryDeliveryRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.testing.Eventually;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the dispatcher answers what receivers do: Retry-After, 410, TLS and DNS failures, manual
 * recovery.
 *
 * <p>Past 250 lines as one class because each receiver behaviour is one case over the same server
 * and receiver.
 */
class DeliveryEngineIT extends ServerWithReceiver {

  @Test
  void honoursRetryAfterOnA429() {
    receiver.on(
        "/busy",
        i ->
            i == 0
                ? new Receiver.Reply(429, "slow down", Duration.ZERO, Map.of("Retry-After", "3600"))
                : Receiver.Reply.status(200));
    String id = deliverTo("proj-429", "/busy");

    Delivery waiting = herald.awaitRetryScheduled(id, 1);
    assertEquals(DeliveryStatus.DELIVERY_STATUS_PENDING, waiting.getStatus());
    Instant firstAttempt = Requests.instant(waiting.getAttempts(0).getStartTime());
    Instant due = Requests.instant(waiting.getNextAttemptTime());
    assertTrue(
        !due.isBefore(firstAttempt.plusSeconds(3600)),
        "due when Retry-After says, not after the 200 ms backoff: " + due);

    herald.clock().advance(Duration.ofSeconds(3600));
    Delivery delivery = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(429, delivery.getAttempts(0).getResponseStatusCode());
    assertEquals(2, delivery.getAttemptCount(), "one attempt after the hour, none before");
  }

  @Test
  void a410DisablesTheWebhookAndEndsItsPendingDeliveries() {
    AtomicInteger calls = new AtomicInteger();
    receiver.on(
        "/gone",
        i -> {
          calls.incrementAndGet();
          return Receiver.Reply.status(410, "unsubscribed");
        });
    Webhook webhook =
        herald.webhooks().createWebhook(Requests.webhook("proj-410", receiver.url("/gone")));
    String first =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange("proj-410", "bot").build())
            .getDeliveryIds(0);

    Delivery gone = herald.awaitStatus(first, DeliveryStatus.DELIVERY_STATUS_FAILED);
    assertEquals(1, gone.getAttemptCount(), "no retry after 410");
    assertEquals("receiver answered 410 Gone", gone.getFailureReason());
    // Disabling follows the delivery's record, in a transaction of its own.
    Webhook disabled =
        Eventually.await(
            "the webhook to be disabled",
            HeraldFixture.WAIT,
            () ->
                herald
                    .webhooks()
                    .getWebhook(GetWebhookRequest.newBuilder().setId(webhook.getId()).build()),
            w -> !w.getActive());
    assertEquals("receiver answered 410 Gone", disabled.getDisabledReason());
    assertEquals(
        0,
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange("proj-410", "bot").build())
            .getDeliveryIdsCount());
    assertEquals(1, calls.get());
  }

  @Test
  void recordsADnsFailure() {
    herald
        .webhooks()
        .createWebhook(Requests.webhook("proj-dns", "http://no-such-host.invalid/hook"));
    String id =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange("proj-dns", "bot").build())
            .getDeliveryIds(0);
    assertEquals("dns failure", herald.awaitAttempts(id, 1).getAttempts(0).getError());
  }

  @Test
  void recordsATlsFailureWithItsCause() {
    try (Receiver untrusted = Receiver.untrustedHttps()) {
      herald.webhooks().createWebhook(Requests.webhook("proj-tls", untrusted.url("/tls")));
      String id =
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-tls", "bot").build())
              .getDeliveryIds(0);
      DeliveryAttempt attempt = herald.awaitAttempts(id, 1).getAttempts(0);
      assertTrue(attempt.getError().startsWith("tls error: "), attempt.getError());
      assertEquals(0, attempt.getResponseStatusCode());
    }
  }

  @Test
  void aFlappingReceiverIsDeliveredToOnceItRecovers() {
    receiver.on("/flapping", i -> Receiver.Reply.status(i % 2 == 0 ? 503 : 200));
    String id = deliverTo("proj-flapping", "/flapping");
    Delivery delivery = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(
        List.of(503, 200),
        delivery.getAttemptsList().stream().map(DeliveryAttempt::getResponseStatusCode).toList());
  }

  @Test
  void retryDeliveryStartsAFreshRoundAndKeepsTheHistory() {
    AtomicInteger mode = new AtomicInteger(500);
    receiver.on("/manual", i -> Receiver.Reply.status(mode.get()));
    String id = deliverTo("proj-manual", "/manual");
    herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_FAILED);

    mode.set(200);
    Delivery requeued =
        herald.deliveries().retryDelivery(RetryDeliveryRequest.newBuilder().setId(id).build());
    assertTrue(
        requeued.getStatus() == DeliveryStatus.DELIVERY_STATUS_PENDING
            || requeued.getStatus() == DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    Delivery delivered = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(5, delivered.getAttemptCount());
    assertEquals(
        List.of(1, 2, 3, 4, 5),
        delivered.getAttemptsList().stream().map(DeliveryAttempt::getAttemptNumber).toList());

    // A succeeded delivery can be sent again too.
    herald.deliveries().retryDelivery(RetryDeliveryRequest.newBuilder().setId(id).build());
    Delivery again =
        Eventually.await(
            "the second manual round",
            HeraldFixture.WAIT,
            () -> herald.delivery(id),
            d ->
                d.getAttemptCount() == 6
                    && d.getStatus() == DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    assertEquals(6, again.getAttemptsCount());
    assertEquals(6, receiver.requests("/manual").size());
  }

  @Test
  void retryingAPendingDeliveryIsRefused() {
    receiver.on("/slow-pending", i -> Receiver.Reply.hang(Duration.ofSeconds(3)));
    String id = deliverTo("proj-pending", "/slow-pending");
    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .deliveries()
                    .retryDelivery(RetryDeliveryRequest.newBuilder().setId(id).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
  }

  @Test
  void recoverDeliveriesRequeuesEveryFailedOneOfTheWebhook() {
    AtomicInteger mode = new AtomicInteger(500);
    receiver.on("/recover", i -> Receiver.Reply.status(mode.get()));
    Webhook webhook =
        herald.webhooks().createWebhook(Requests.webhook("proj-recover", receiver.url("/recover")));
    List<String> ids = new ArrayList<>();
    // Two deliveries' eight failed attempts, fewer in a row than pause the endpoint.
    for (int i = 0; i < 2; i++) {
      ids.add(
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-recover", "bot").build())
              .getDeliveryIds(0));
    }
    ids.forEach(id -> herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_FAILED));

    mode.set(200);
    int requeued =
        herald
            .deliveries()
            .recoverDeliveries(
                RecoverDeliveriesRequest.newBuilder()
                    .setProjectId("proj-recover")
                    .setWebhookId(webhook.getId())
                    .build())
            .getRequeuedCount();

    assertEquals(2, requeued);
    ids.forEach(
        id ->
            assertEquals(
                5,
                herald
                    .awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED)
                    .getAttemptCount()));
  }

  @Test
  void aDeletedWebhooksDeliveriesCannotBeRetried() {
    receiver.on("/deleted-retry", i -> Receiver.Reply.status(500));
    Webhook webhook =
        herald
            .webhooks()
            .createWebhook(Requests.webhook("proj-deleted-retry", receiver.url("/deleted-retry")));
    String id =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange("proj-deleted-retry", "bot").build())
            .getDeliveryIds(0);
    herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_FAILED);
    herald
        .webhooks()
        .deleteWebhook(
            dev.herald.proto.v1.DeleteWebhookRequest.newBuilder().setId(webhook.getId()).build());

    StatusRuntimeException error =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .deliveries()
                    .retryDelivery(RetryDeliveryRequest.newBuilder().setId(id).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
  }

  private static String deliverTo(String project, String path) {
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url(path)));
    return herald
        .ingestion()
        .ingestStateChange(Requests.stateChange(project, "bot").build())
        .getDeliveryIds(0);
  }

  private static long gapMillis(DeliveryAttempt first, DeliveryAttempt second) {
    return Duration.between(
            Requests.instant(first.getStartTime()), Requests.instant(second.getStartTime()))
        .toMillis();
  }
}
