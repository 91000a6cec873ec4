package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.testing.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One endpoint that hangs for the whole timeout does not slow deliveries to a healthy one. */
class IsolationIT {

  @Test
  void aHangingEndpointDoesNotDelayAHealthyOne() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "3000");
    settings.put("HERALD_DELIVERY_CONCURRENCY", "8");
    settings.put("HERALD_DELIVERY_PER_ENDPOINT_CONCURRENCY", "4");
    Map<String, Instant> acknowledged = new ConcurrentHashMap<>();
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      receiver.on("/hanging", i -> Receiver.Reply.hang(Duration.ofSeconds(10)));
      herald.webhooks().createWebhook(Requests.webhook("proj-hanging", receiver.url("/hanging")));
      herald.webhooks().createWebhook(Requests.webhook("proj-healthy", receiver.url("/healthy")));

      // A backlog for the hanging endpoint, larger than every slot there is.
      for (int i = 0; i < 30; i++) {
        herald.ingestion().ingestStateChange(Requests.stateChange("proj-hanging", "bot").build());
      }
      receiver.awaitRequests("/hanging", 4, HeraldFixture.WAIT);

      // A light, steady load: 50 events a second.
      int healthy = 100;
      AtomicInteger next = new AtomicInteger();
      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      try {
        pacer.scheduleAtFixedRate(
            () -> {
              int i = next.getAndIncrement();
              if (i < healthy) {
                IngestStateChangeRequest request =
                    Requests.stateChange("proj-healthy", "bot-" + i).build();
                herald.ingestion().ingestStateChange(request);
                acknowledged.put("\"bot-" + i + "\"", Instant.now());
              }
            },
            0,
            20,
            TimeUnit.MILLISECONDS);
        Eventually.await(
            "100 events ingested", HeraldFixture.WAIT, acknowledged::size, n -> n >= healthy);
      } finally {
        pacer.shutdownNow();
      }
      List<Receiver.Request> received =
          receiver.awaitRequests("/healthy", healthy, HeraldFixture.WAIT);

      List<Long> latencies = new ArrayList<>();
      for (Receiver.Request request : received) {
        String body = request.bodyText();
        String botId =
            body.substring(body.indexOf("\"bot_id\":") + 9, body.indexOf(",\"bot_metadata\""));
        latencies.add(Duration.between(acknowledged.get(botId), request.receivedAt()).toMillis());
      }
      Collections.sort(latencies);
      long p50 = latencies.get(latencies.size() / 2);
      long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
      System.out.printf(
          "healthy endpoint beside a hanging one: p50 %d ms, p99 %d ms, max %d ms%n",
          p50, p99, latencies.get(latencies.size() - 1));
      assertEquals(healthy, latencies.size());
      // Ordering, not speed (speed is the benchmark's): a delivery held up by the hanging
      // endpoint would wait for one of its attempts to time out, 3 s after it started.
      long max = latencies.get(latencies.size() - 1);
      assertTrue(
          max < 3000, "a healthy delivery waited " + max + " ms, as long as a hanging attempt");
      assertTrue(
          receiver.requests("/hanging").size() <= 8, "at most the hanging endpoint's slots in use");
    }
  }
}
