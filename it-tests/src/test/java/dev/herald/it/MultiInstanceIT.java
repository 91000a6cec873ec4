package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.testing.Eventually;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Servers sharing one database share the work, and no delivery is made twice. */
class MultiInstanceIT {

  @Test
  void twoServersDeliver2000EventsExactlyOnceBetweenThem() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
    // The production timeout: on a loaded 2-core machine a 1 s timeout makes the test receiver
    // look dead, and a timed-out attempt is rightly made again.
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "10000");
    try (HeraldFixture first = HeraldFixture.start(settings);
        HeraldFixture second = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      for (int i = 0; i < 4; i++) {
        first
            .webhooks()
            .createWebhook(Requests.webhook("proj-shared", receiver.url("/shared-" + i)));
      }
      ExecutorService ingesters = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
          HeraldFixture via = i % 2 == 0 ? first : second;
          String bot = "bot-" + i;
          sent.add(
              ingesters.submit(
                  () ->
                      via.ingestion()
                          .ingestStateChange(Requests.stateChange("proj-shared", bot).build())));
        }
        for (Future<?> future : sent) {
          future.get(30, TimeUnit.SECONDS);
        }
      } finally {
        ingesters.shutdown();
      }

      Map<String, Long> perKey =
          Eventually.await(
              "2000 distinct deliveries",
              java.time.Duration.ofSeconds(60),
              () -> deliveriesPerKey(receiver),
              counts -> counts.size() >= 2000);
      assertEquals(2000, perKey.size(), "every delivery made");
      Map<String, Long> twice =
          perKey.entrySet().stream()
              .filter(e -> e.getValue() > 1)
              .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      assertEquals(Map.of(), twice, "none made twice");
    }
  }

  private static Map<String, Long> deliveriesPerKey(Receiver receiver) {
    Map<String, Long> perKey = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      for (Receiver.Request request : receiver.requests("/shared-" + i)) {
        perKey.merge(request.header("webhook-id"), 1L, Long::sum);
      }
    }
    return perKey;
  }
}
