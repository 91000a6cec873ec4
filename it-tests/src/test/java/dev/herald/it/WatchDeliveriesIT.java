package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.DeliveryOutcome;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.WatchDeliveriesRequest;
import dev.herald.testing.Eventually;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher on one server sees the attempt outcomes another server records: two processes sharing
 * one database, the one that delivers a jar of its own, the watched one delivering nothing.
 */
class WatchDeliveriesIT {

  @Test
  void aWatcherOnOneServerSeesOutcomesRecordedByAnother(@TempDir Path workDir) throws Exception {
    String database = TestDatabases.freshDatabaseUrl();
    Map<String, String> watchedSettings = HeraldFixture.testSettings();
    watchedSettings.put("HERALD_DATABASE_URL", database);
    watchedSettings.put("HERALD_DELIVERY_ENABLED", "false");
    List<DeliveryOutcome> seen = new CopyOnWriteArrayList<>();
    String failing;
    try (Receiver receiver = Receiver.http();
        HeraldFixture watched = HeraldFixture.start(watchedSettings)) {
      receiver.on("/busy", i -> Receiver.Reply.status(503, "busy"));
      Map<String, String> deliveringSettings = new HashMap<>(HeraldFixture.testSettings());
      deliveringSettings.put("HERALD_DATABASE_URL", database);
      deliveringSettings.remove("HERALD_GRPC_PORT");
      deliveringSettings.put("HERALD_RETRY_MAX_RETRIES", "0");
      try (ServerProcess delivering =
          ServerProcess.start(
              Path.of(System.getProperty("herald.server.jar")), workDir, deliveringSettings)) {
        Context.CancellableContext watch = Context.current().withCancellation();
        try {
          watch.run(
              () ->
                  DeliveryServiceGrpc.newStub(watched.channel())
                      .watchDeliveries(
                          WatchDeliveriesRequest.newBuilder().setProjectId("proj-watched").build(),
                          collectInto(seen)));
          // The stream is open once the server has it; an outcome before then is not owed.
          Eventually.await(
              "the watch to be in place",
              HeraldFixture.WAIT,
              () -> Scrapes.value(Scrapes.metrics(watched.httpPort()), "herald_watch_streams"),
              n -> n == 1);
          watched.webhooks().createWebhook(Requests.webhook("proj-watched", receiver.url("/ok")));
          watched
              .webhooks()
              .createWebhook(
                  Requests.botWebhook("proj-watched", "bot-busy", receiver.url("/busy")));
          watched.webhooks().createWebhook(Requests.webhook("proj-other", receiver.url("/other")));
          for (int i = 0; i < 5; i++) {
            watched
                .ingestion()
                .ingestStateChange(Requests.stateChange("proj-watched", "bot-" + i).build());
            watched
                .ingestion()
                .ingestStateChange(Requests.stateChange("proj-other", "bot-" + i).build());
          }
          failing =
              watched
                  .ingestion()
                  .ingestStateChange(Requests.stateChange("proj-watched", "bot-busy").build())
                  .getDeliveryIds(0);
          receiver.awaitRequests("/other", 5, HeraldFixture.WAIT);

          Eventually.await(
              "six outcomes watched", HeraldFixture.WAIT, () -> seen.size(), n -> n >= 6);
        } finally {
          watch.cancel(null);
        }
        Eventually.await(
            "the watch to end with its call",
            HeraldFixture.WAIT,
            () -> Scrapes.value(Scrapes.metrics(watched.httpPort()), "herald_watch_streams"),
            n -> n == 0);
        assertEquals(6, seen.size(), "the watched project's outcomes and no other's: " + seen);
        assertTrue(
            seen.stream().allMatch(o -> o.getProjectId().equals("proj-watched")), seen.toString());
        assertEquals(
            5,
            seen.stream()
                .filter(
                    o ->
                        o.getStatus() == DeliveryStatus.DELIVERY_STATUS_SUCCEEDED
                            && o.getResponseStatusCode() == 200)
                .count());
        DeliveryOutcome failed =
            seen.stream().filter(o -> o.getBotId().equals("bot-busy")).findFirst().orElseThrow();
        assertEquals(DeliveryStatus.DELIVERY_STATUS_FAILED, failed.getStatus());
        assertEquals(503, failed.getResponseStatusCode());
        assertEquals(1, failed.getAttemptNumber());
        assertEquals(failing, failed.getDeliveryId());
        assertTrue(failed.hasAttemptTime());
      }
    }
  }

  private static StreamObserver<DeliveryOutcome> collectInto(List<DeliveryOutcome> seen) {
    return new StreamObserver<>() {
      @Override
      public void onNext(DeliveryOutcome outcome) {
        seen.add(outcome);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
