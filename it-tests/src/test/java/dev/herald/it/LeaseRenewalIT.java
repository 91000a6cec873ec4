package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An attempt that outlasts the lease it was claimed with keeps its delivery: it is made once. */
class LeaseRenewalIT {

  @Test
  void anAttemptLongerThanTheLeaseIsMadeOnce() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_LEASE_MS", "1000");
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "5000");
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      receiver.on("/slow", i -> Receiver.Reply.hang(Duration.ofMillis(2500)));
      herald.webhooks().createWebhook(Requests.webhook("proj-slow", receiver.url("/slow")));
      String id =
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange("proj-slow", "bot").build())
              .getDeliveryIds(0);

      Delivery delivery = herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
      assertEquals(1, delivery.getAttemptCount());
      assertEquals(
          1, receiver.requests("/slow").size(), "no second copy while the first attempt ran");
    }
  }
}
