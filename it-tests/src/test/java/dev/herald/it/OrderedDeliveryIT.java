package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.Ordering;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordered delivery per bot: each bot's state changes, sent one after another, reach an ordered
 * webhook in the order they were acknowledged, each attempted only once the one before has ended,
 * through a receiver that fails first attempts, a delivery that fails for good, and a server killed
 * mid-sequence.
 *
 * <p>Past 250 lines as one class because the cases share the ordering check, written once, over one
 * server and one receiver.
 */
class OrderedDeliveryIT extends ServerWithReceiver {
  private static final int BOTS = 10;
  private static final int CHANGES_PER_BOT = 20;
  private static final Pattern SEQUENCE = Pattern.compile("\"sequence\":(\\d+)");

  @Test
  void anOrderedWebhookGetsEachBotsChangesInOrderThroughFailuresAnUnorderedOneDoesNot()
      throws Exception {
    receiver.on("/ordered", failingFirstAttempts());
    receiver.on("/unordered", failingFirstAttempts());
    herald.webhooks().createWebhook(ordered("proj-ordered", receiver.url("/ordered")));
    herald.webhooks().createWebhook(Requests.webhook("proj-unordered", receiver.url("/unordered")));

    sendInTurnPerBot(herald.channel(), "proj-ordered");
    sendInTurnPerBot(herald.channel(), "proj-unordered");

    Map<String, List<Integer>> ordered = awaitEverySequence("/ordered");
    Map<String, List<Integer>> unordered = awaitEverySequence("/unordered");
    ordered.forEach(
        (bot, sequences) ->
            assertTrue(
                nonDecreasing(sequences),
                bot + "'s attempts on the ordered webhook, in arrival order: " + sequences));
    assertTrue(
        unordered.values().stream().anyMatch(sequences -> !nonDecreasing(sequences)),
        "the unordered webhook, given the same failures, saw some bot's changes out of order: "
            + unordered);
  }

  @Test
  void aDeliveryThatFailsForGoodLetsTheNextGoAndStaysFailed() throws Exception {
    receiver.on(
        "/ordered-failing",
        (Receiver.RequestBehaviour)
            (index, request) ->
                sequenceOf(request) == 1
                    ? Receiver.Reply.status(500, "never")
                    : Receiver.Reply.status(200, "ok"));
    herald
        .webhooks()
        .createWebhook(ordered("proj-ordered-failing", receiver.url("/ordered-failing")));
    List<String> deliveryIds = new ArrayList<>();
    for (int sequence = 0; sequence < 3; sequence++) {
      deliveryIds.add(
          herald
              .ingestion()
              .ingestStateChange(change("proj-ordered-failing", "bot-f", sequence))
              .getDeliveryIds(0));
    }
    receiver.awaitRequests("/ordered-failing", 2, HeraldFixture.WAIT);
    Delivery third =
        herald
            .deliveries()
            .getDelivery(GetDeliveryRequest.newBuilder().setId(deliveryIds.get(2)).build());
    assertTrue(third.getWaitingInLine(), "the third waits while the second is retried: " + third);
    assertFalse(third.hasNextAttemptTime());
    List<Receiver.Request> requests =
        Eventually.await(
            "the third change after the second failed for good",
            HeraldFixture.WAIT,
            () -> receiver.requests("/ordered-failing"),
            r -> r.stream().anyMatch(q -> sequenceOf(q) == 2));
    List<Integer> arrival = requests.stream().map(OrderedDeliveryIT::sequenceOf).toList();
    assertEquals(
        List.of(0, 1, 1, 1, 1, 2), arrival, "four attempts of the failing one, in between");
    assertEquals(
        DeliveryStatus.DELIVERY_STATUS_FAILED,
        herald
            .deliveries()
            .getDelivery(GetDeliveryRequest.newBuilder().setId(deliveryIds.get(1)).build())
            .getStatus());
  }

  /**
   * The bot's first change never gets an answer in time (four attempts, some five seconds in all);
   * once ordering is off, the two behind it go without waiting for it to fail for good.
   */
  @Test
  void turningOrderingOffLetsWaitingDeliveriesGo() {
    receiver.on(
        "/ordered-then-not",
        (Receiver.RequestBehaviour)
            (index, request) ->
                sequenceOf(request) == 0
                    ? Receiver.Reply.hang(Duration.ofSeconds(3))
                    : Receiver.Reply.status(200, "ok"));
    Webhook webhook =
        herald
            .webhooks()
            .createWebhook(ordered("proj-ordered-then-not", receiver.url("/ordered-then-not")));
    for (int sequence = 0; sequence < 3; sequence++) {
      herald.ingestion().ingestStateChange(change("proj-ordered-then-not", "bot-o", sequence));
    }
    receiver.awaitRequests("/ordered-then-not", 1, HeraldFixture.WAIT);
    herald
        .webhooks()
        .updateWebhook(
            UpdateWebhookRequest.newBuilder()
                .setId(webhook.getId())
                .setOrdering(Ordering.ORDERING_UNORDERED)
                .build());
    List<Integer> arrival =
        Eventually.await(
                "the waiting changes",
                HeraldFixture.WAIT,
                () -> receiver.requests("/ordered-then-not"),
                r ->
                    r.stream()
                        .map(OrderedDeliveryIT::sequenceOf)
                        .toList()
                        .containsAll(List.of(1, 2)))
            .stream()
            .map(OrderedDeliveryIT::sequenceOf)
            .toList();
    assertTrue(
        arrival.stream().filter(sequence -> sequence == 0).count() < 4,
        "the others went before the first failed for good: " + arrival);
  }

  /**
   * A server process killed while one of a bot's deliveries is in flight: another server, once the
   * lease runs out, attempts that one again before the bot's next.
   */
  @Test
  void theOrderHoldsWhenTheServerHoldingALinesDeliveryIsKilled(@TempDir Path workDir)
      throws Exception {
    receiver.on(
        "/ordered-kill", i -> new Receiver.Reply(200, "ok", Duration.ofMillis(400), Map.of()));
    String database = TestDatabases.freshDatabaseUrl();
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", database);
    settings.put("HERALD_DELIVERY_LEASE_MS", "2000");
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "5000");
    settings.put("HERALD_HTTP_PORT", "-1");
    int port = JarLaunchIT.freePort();
    settings.put("HERALD_GRPC_PORT", Integer.toString(port));
    Process first = JarLaunchIT.launch(workDir, workDir.resolve("first.log"), settings);
    try {
      Eventually.await(
          "the first server to listen",
          Duration.ofSeconds(90),
          () -> JarLaunchIT.read(workDir.resolve("first.log")),
          log -> log.contains("listening"));
      ManagedChannel channel = HeraldFixture.channel(port, HeraldFixture.ADMIN_TOKEN);
      try {
        WebhookServiceGrpc.newBlockingStub(channel)
            .createWebhook(ordered("proj-ordered-kill", receiver.url("/ordered-kill")));
        for (int sequence = 0; sequence < 10; sequence++) {
          IngestionServiceGrpc.newBlockingStub(channel)
              .ingestStateChange(change("proj-ordered-kill", "bot-k", sequence));
        }
      } finally {
        channel.shutdownNow();
      }
      receiver.awaitRequests("/ordered-kill", 3, HeraldFixture.WAIT);
    } finally {
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
    }
    settings.put("HERALD_GRPC_PORT", "0");
    try (HeraldFixture second = HeraldFixture.start(settings)) {
      List<Integer> arrival =
          Eventually.await(
                  "every change after the kill",
                  Duration.ofSeconds(60),
                  () -> receiver.requests("/ordered-kill"),
                  r -> r.stream().anyMatch(q -> sequenceOf(q) == 9))
              .stream()
              .map(OrderedDeliveryIT::sequenceOf)
              .toList();
      assertTrue(nonDecreasing(arrival), "arrival order across the kill: " + arrival);
      assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), Set.copyOf(arrival));
    }
  }

  private static CreateWebhookRequest ordered(String project, String url) {
    return Requests.webhook(project, url).toBuilder()
        .setOrdering(Ordering.ORDERING_PER_BOT)
        .build();
  }

  /** Fails the first attempt of every third change; every change succeeds on a retry. */
  private static Receiver.Behaviour failingFirstAttempts() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    return (Receiver.RequestBehaviour)
        (index, request) ->
            seen.add(request.header("webhook-id")) && sequenceOf(request) % 3 == 0
                ? Receiver.Reply.status(500, "not yet")
                : Receiver.Reply.status(200, "ok");
  }

  /** Each bot's changes from its own thread, each sent once the one before is acknowledged. */
  private static void sendInTurnPerBot(ManagedChannel channel, String project) throws Exception {
    ExecutorService bots = Executors.newFixedThreadPool(BOTS);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int b = 0; b < BOTS; b++) {
        String bot = "bot-" + b;
        sent.add(
            bots.submit(
                () -> {
                  var ingestion = IngestionServiceGrpc.newBlockingStub(channel);
                  for (int sequence = 0; sequence < CHANGES_PER_BOT; sequence++) {
                    ingestion.ingestStateChange(change(project, bot, sequence));
                  }
                  return null;
                }));
      }
      for (Future<?> future : sent) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      bots.shutdown();
    }
  }

  /** Waits for every change's success; returns each bot's attempts' sequences by arrival. */
  private static Map<String, List<Integer>> awaitEverySequence(String path) {
    return Eventually.await(
        "every change of every bot at " + path,
        Duration.ofSeconds(60),
        () -> byBot(receiver.requests(path)),
        byBot ->
            byBot.size() == BOTS
                && byBot.values().stream().allMatch(s -> Set.copyOf(s).size() == CHANGES_PER_BOT));
  }

  private static Map<String, List<Integer>> byBot(List<Receiver.Request> requests) {
    Map<String, List<Integer>> byBot = new TreeMap<>();
    for (Receiver.Request request : requests) {
      Matcher bot = Pattern.compile("\"bot_id\":\"([^\"]+)\"").matcher(request.bodyText());
      assertTrue(bot.find(), request.bodyText());
      byBot.computeIfAbsent(bot.group(1), b -> new ArrayList<>()).add(sequenceOf(request));
    }
    return byBot;
  }

  static dev.herald.proto.v1.IngestStateChangeRequest change(
      String project, String bot, int sequence) {
    return Requests.stateChange(project, bot)
        .setBotMetadata(
            Struct.newBuilder()
                .putFields("sequence", Value.newBuilder().setNumberValue(sequence).build()))
        .build();
  }

  static int sequenceOf(Receiver.Request request) {
    Matcher matcher = SEQUENCE.matcher(request.bodyText());
    assertTrue(matcher.find(), request.bodyText());
    return Integer.parseInt(matcher.group(1));
  }

  private static boolean nonDecreasing(List<Integer> sequences) {
    for (int i = 1; i < sequences.size(); i++) {
      if (sequences.get(i) < sequences.get(i - 1)) {
        return false;
      }
    }
    return true;
  }
}
