package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server process in the middle of 200 deliveries, then a restart on the same data
 * directory: the embedded PostgreSQL the dead process left running is dealt with, and every
 * delivery is made, twice only if it was in flight at the kill.
 */
class KillRecoveryIT {
  private static final Duration RECEIVER_DELAY = Duration.ofMillis(300);

  @Test
  void everyDeliveryIsMadeAfterAKillAndRestart(@TempDir Path workDir) throws Exception {
    int port = JarLaunchIT.freePort();
    Map<String, String> settings = new HashMap<>();
    settings.put("HERALD_GRPC_PORT", Integer.toString(port));
    settings.put("HERALD_REQUIRE_HTTPS", "false");
    settings.put("HERALD_ADMIN_TOKEN", HeraldFixture.ADMIN_TOKEN);
    settings.put("HERALD_ALLOW_PRIVATE_NETWORKS", "true");
    settings.put("HERALD_DELIVERY_LEASE_MS", "3000");
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "5000");
    settings.put("HERALD_RETRY_INITIAL_DELAY_MS", "200");

    try (Receiver receiver = Receiver.http()) {
      receiver.on("/slow", i -> new Receiver.Reply(200, "ok", RECEIVER_DELAY, Map.of()));
      Path firstLog = workDir.resolve("first.log");
      Process first = JarLaunchIT.launch(workDir, firstLog, settings);
      Instant killedAt;
      try {
        awaitListening(firstLog);
        ingest200(port, receiver.url("/slow"));
        receiver.awaitRequests("/slow", 40, HeraldFixture.WAIT);
      } finally {
        first.destroyForcibly();
        killedAt = Instant.now();
        first.waitFor(30, TimeUnit.SECONDS);
      }

      Path secondLog = workDir.resolve("second.log");
      Process second = JarLaunchIT.launch(workDir, secondLog, settings);
      try {
        awaitListening(secondLog);
        assertTrue(
            JarLaunchIT.read(secondLog).contains("still running"), JarLaunchIT.read(secondLog));
        Map<String, List<Instant>> received =
            Eventually.await(
                "all 200 deliveries",
                Duration.ofSeconds(90),
                () -> receivedByKey(receiver),
                r -> r.size() >= 200);
        assertEquals(200, received.size());
        received.forEach(
            (key, times) -> {
              if (times.size() > 1) {
                Instant firstSeen = times.get(0);
                assertTrue(
                    firstSeen.isAfter(killedAt.minus(RECEIVER_DELAY).minusSeconds(2))
                        && firstSeen.isBefore(killedAt),
                    "delivery "
                        + key
                        + " was sent twice but was not in flight at the kill: first seen "
                        + firstSeen
                        + ", killed at "
                        + killedAt);
              }
            });
        assertEquals(200, succeeded(port));
      } finally {
        second.destroy();
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), "SIGTERM is a clean stop");
      }
    }
  }

  private static void awaitListening(Path log) {
    Eventually.await(
        "the server to listen",
        Duration.ofSeconds(90),
        () -> JarLaunchIT.read(log),
        l -> l.contains("listening"));
  }

  private static void ingest200(int port, String url) throws Exception {
    ManagedChannel channel = HeraldFixture.channel(port, HeraldFixture.ADMIN_TOKEN);
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      WebhookServiceGrpc.newBlockingStub(channel).createWebhook(Requests.webhook("proj-kill", url));
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String bot = "bot-" + i;
        sent.add(
            senders.submit(
                () ->
                    IngestionServiceGrpc.newBlockingStub(channel)
                        .ingestStateChange(Requests.stateChange("proj-kill", bot).build())));
      }
      for (Future<?> future : sent) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdown();
      channel.shutdownNow();
    }
  }

  private static Map<String, List<Instant>> receivedByKey(Receiver receiver) {
    Map<String, List<Instant>> byKey = new HashMap<>();
    for (Receiver.Request request : receiver.requests("/slow")) {
      byKey
          .computeIfAbsent(request.header("webhook-id"), k -> new ArrayList<>())
          .add(request.receivedAt());
    }
    return byKey;
  }

  private static int succeeded(int port) {
    ManagedChannel channel = HeraldFixture.channel(port, HeraldFixture.ADMIN_TOKEN);
    try {
      return Eventually.await(
          "every delivery recorded as SUCCEEDED",
          Duration.ofSeconds(30),
          () -> {
            int count = 0;
            String token = "";
            do {
              ListDeliveriesResponse page =
                  DeliveryServiceGrpc.newBlockingStub(channel)
                      .listDeliveries(
                          ListDeliveriesRequest.newBuilder()
                              .setProjectId("proj-kill")
                              .setPageSize(200)
                              .setPageToken(token)
                              .build());
              for (Delivery delivery : page.getDeliveriesList()) {
                if (delivery.getStatus() == DeliveryStatus.DELIVERY_STATUS_SUCCEEDED) {
                  count++;
                }
              }
              token = page.getNextPageToken();
            } while (!token.isEmpty());
            return count;
          },
          count -> count == 200);
    } finally {
      channel.shutdownNow();
    }
  }
}
