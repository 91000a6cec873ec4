package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Duration;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.SigningSecret;
import dev.herald.proto.v1.UpdateWebhookRequest;
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
    Map<String, String> settings = oneFreshDatabase();
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

  /**
   * A server keeps the webhooks it fans out to between ingest batches; a change made through
   * another server must reach its very next event all the same.
   */
  @Test
  void aWebhookChangedThroughOneServerIsWhatTheOthersNextEventGoesTo() throws Exception {
    Map<String, String> settings = oneFreshDatabase();
    try (HeraldFixture admin = HeraldFixture.start(settings);
        HeraldFixture ingest = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      String project = "proj-changing";
      String first =
          admin.webhooks().createWebhook(Requests.webhook(project, receiver.url("/a"))).getId();
      assertEquals(1, deliveriesOf(ingest, project, "bot-1"), "the one webhook, now kept");

      String second =
          admin.webhooks().createWebhook(Requests.webhook(project, receiver.url("/b"))).getId();
      assertEquals(2, deliveriesOf(ingest, project, "bot-2"), "the webhook created meanwhile too");

      admin
          .webhooks()
          .updateWebhook(UpdateWebhookRequest.newBuilder().setId(first).setActive(false).build());
      assertEquals(1, deliveriesOf(ingest, project, "bot-3"), "not the one switched off");

      admin.webhooks().createWebhook(Requests.botWebhook(project, "bot-4", receiver.url("/c")));
      assertEquals(1, deliveriesOf(ingest, project, "bot-4"), "the bot's own webhook alone");
      assertEquals(1, deliveriesOf(ingest, project, "bot-5"), "another bot: the project's");

      admin.webhooks().deleteWebhook(DeleteWebhookRequest.newBuilder().setId(second).build());
      assertEquals(0, deliveriesOf(ingest, project, "bot-6"), "none once it is deleted");
    }
  }

  /**
   * A server keeps the signing keys of the projects it claims for between claims; a rotation made
   * through another server must sign the very next deliveries all the same.
   */
  @Test
  void aKeyRotatedThroughOneServerSignsWhatEitherDeliversNext() throws Exception {
    Map<String, String> settings = oneFreshDatabase();
    try (HeraldFixture first = HeraldFixture.start(settings);
        HeraldFixture second = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http()) {
      String project = "proj-rotating";
      first.webhooks().createWebhook(Requests.webhook(project, receiver.url("/rotating")));
      ingestTen(first, second, project, "before");
      receiver.awaitRequests("/rotating", 10, HeraldFixture.WAIT);

      SigningSecret rotated =
          second
              .webhooks()
              .rotateSigningSecret(
                  RotateSigningSecretRequest.newBuilder()
                      .setProjectId(project)
                      .setOverlap(Duration.getDefaultInstance())
                      .build());
      ingestTen(first, second, project, "after");
      List<Receiver.Request> after =
          receiver.awaitRequests("/rotating", 20, HeraldFixture.WAIT).subList(10, 20);
      for (Receiver.Request request : after) {
        assertEquals(
            Signatures.expectedBodySignature(rotated.getSecret(), request.body()),
            request.header("X-Webhook-Signature"),
            "signed with the key rotated through the other server");
      }
    }
  }

  private static void ingestTen(
      HeraldFixture first, HeraldFixture second, String project, String label) {
    for (int i = 0; i < 10; i++) {
      (i % 2 == 0 ? first : second)
          .ingestion()
          .ingestStateChange(Requests.stateChange(project, label + "-" + i).build());
    }
  }

  /** The test settings of servers that share one database, fresh for the test. */
  private static Map<String, String> oneFreshDatabase() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
    return settings;
  }

  private static int deliveriesOf(HeraldFixture via, String project, String bot) {
    return via.ingestion()
        .ingestStateChange(Requests.stateChange(project, bot).build())
        .getDeliveryIdsCount();
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
