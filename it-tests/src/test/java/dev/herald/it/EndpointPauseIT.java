package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.Ordering;
import dev.herald.proto.v1.Webhook;
import dev.herald.testing.Eventually;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * HERALD_PAUSE_AFTER_FAILED_ATTEMPTS: an endpoint that fails every attempt is paused, its
 * deliveries wait without being sent, a probe at a time asks whether it is back, and once it is the
 * whole backlog goes.
 */
class EndpointPauseIT {
  private static final int BACKLOG = 2_100;

  @Test
  void aDownEndpointIsPausedProbedAndSentItsWholeBacklogOnceBack() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_PAUSE_AFTER_FAILED_ATTEMPTS", "3");
    settings.put("HERALD_RETRY_MAX_RETRIES", "1");
    AtomicBoolean down = new AtomicBoolean(true);
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver =
            Receiver.http()
                .on("/down", i -> Receiver.Reply.status(down.get() ? 503 : 200))
                .on("/up", i -> Receiver.Reply.status(200))) {
      Webhook paused =
          herald.webhooks().createWebhook(Requests.webhook("proj-down", receiver.url("/down")));
      herald.webhooks().createWebhook(Requests.webhook("proj-up", receiver.url("/up")));

      for (int i = 0; i < BACKLOG; i++) {
        herald.ingestion().ingestStateChange(Requests.stateChange("proj-down", "bot-" + i).build());
      }
      Eventually.await(
          "the endpoint to be paused",
          HeraldFixture.WAIT,
          () -> count(herald, "select count(*) from webhooks where unreachable_since is not null"),
          n -> n == 1);
      int sentWhileDown = receiver.requests("/down").size();
      long watchFrom = System.nanoTime();
      Eventually.await(
          "two probes after the pause",
          HeraldFixture.WAIT,
          () -> receiver.requests("/down").size() - sentWhileDown,
          n -> n >= 2);
      long probesMillis = (System.nanoTime() - watchFrom) / 1_000_000;
      int sinceThePause = receiver.requests("/down").size() - sentWhileDown;
      assertTrue(
          sentWhileDown < 100 && sinceThePause <= 3 && probesMillis >= 900,
          "a paused endpoint gets a probe a second at most, not its backlog: "
              + sentWhileDown
              + " requests before the pause took hold, then "
              + sinceThePause
              + " in "
              + probesMillis
              + " ms");
      assertTrue(
          count(herald, "select count(*) from delivery_queue where next_attempt_time = 'infinity'")
              > BACKLOG - 100,
          "the backlog waits parked");
      Eventually.await(
          "the metrics to count the backlog as parked, not as retries scheduled",
          HeraldFixture.WAIT,
          () -> Scrapes.metrics(herald.httpPort()),
          scrape ->
              Scrapes.value(scrape, "herald_queue_parked_deliveries") > BACKLOG - 100
                  && Scrapes.value(scrape, "herald_queue_scheduled_deliveries") == 0);

      // Another endpoint is served meanwhile.
      herald.ingestion().ingestStateChange(Requests.stateChange("proj-up", "bot").build());
      receiver.awaitRequests("/up", 1, HeraldFixture.WAIT);

      down.set(false);
      Eventually.await(
          "the whole backlog to be delivered",
          HeraldFixture.WAIT.plus(Duration.ofSeconds(30)),
          () ->
              count(
                  herald,
                  "select count(*) from deliveries d where d.status is distinct from 'FAILED'"
                      + " and not exists (select 1 from delivery_queue q where q.delivery_id = d.id)"),
          n -> n == BACKLOG + 1);
      assertTrue(
          count(herald, "select max(attempt_number) from delivery_attempts") > 2,
          "probes went on past the delivery's one retry");
      assertEquals(
          0,
          count(herald, "select count(*) from webhooks where next_probe_time is not null"),
          "the pause is over");
      Eventually.await(
          "the returning backlog to be done with",
          HeraldFixture.WAIT,
          () -> count(herald, "select count(*) from returning_backlogs"),
          n -> n == 0);
      assertEquals(0, count(herald, "select count(*) from delivery_queue"));
      assertEquals(
          BACKLOG,
          receiver.requests("/down").stream()
              .filter(r -> r.header("webhook-id") != null)
              .map(r -> r.header("webhook-id"))
              .distinct()
              .count(),
          "every delivery of " + paused.getId() + " reached the endpoint");
      String scrape = Scrapes.metrics(herald.httpPort());
      assertEquals(1, Scrapes.value(scrape, "herald_endpoint_pauses_total{transition=\"paused\"}"));
      assertEquals(
          1, Scrapes.value(scrape, "herald_endpoint_pauses_total{transition=\"resumed\"}"));
    }
  }

  @Test
  void anOrderedWebhookKeepsEachBotsOrderThroughAPause() throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_PAUSE_AFTER_FAILED_ATTEMPTS", "3");
    AtomicBoolean down = new AtomicBoolean(true);
    Map<String, List<Integer>> delivered = new ConcurrentHashMap<>();
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver =
            Receiver.http()
                .on(
                    "/ordered-down",
                    (Receiver.RequestBehaviour)
                        (index, request) -> {
                          if (down.get()) {
                            return Receiver.Reply.status(503);
                          }
                          String bot =
                              request.bodyText().replaceAll(".*\"bot_id\":\"([^\"]+)\".*", "$1");
                          delivered
                              .computeIfAbsent(bot, b -> new CopyOnWriteArrayList<>())
                              .add(OrderedDeliveryIT.sequenceOf(request));
                          return Receiver.Reply.status(200);
                        })) {
      herald
          .webhooks()
          .createWebhook(
              Requests.webhook("proj-ordered-down", receiver.url("/ordered-down")).toBuilder()
                  .setOrdering(Ordering.ORDERING_PER_BOT)
                  .build());
      for (int sequence = 0; sequence < 5; sequence++) {
        for (String bot : List.of("bot-a", "bot-b", "bot-c")) {
          herald
              .ingestion()
              .ingestStateChange(OrderedDeliveryIT.change("proj-ordered-down", bot, sequence));
        }
      }
      Eventually.await(
          "the endpoint to be paused",
          HeraldFixture.WAIT,
          () -> count(herald, "select count(*) from webhooks where unreachable_since is not null"),
          n -> n == 1);

      down.set(false);
      Eventually.await(
          "every change to be delivered",
          HeraldFixture.WAIT,
          () -> delivered.values().stream().mapToInt(List::size).sum(),
          n -> n >= 15);
      List<Integer> inOrder = List.of(0, 1, 2, 3, 4);
      assertEquals(
          Map.of("bot-a", inOrder, "bot-b", inOrder, "bot-c", inOrder),
          Map.copyOf(delivered),
          "each bot's changes once each, in order, after the pause");
    }
  }

  @Test
  void anEndpointDownForTheWholeSpanIsGivenUp() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_PAUSE_AFTER_FAILED_ATTEMPTS", "3");
    settings.put("HERALD_DISABLE_AFTER_UNREACHABLE", "1h");
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http().on("/dead", i -> Receiver.Reply.status(503))) {
      Webhook webhook =
          herald.webhooks().createWebhook(Requests.webhook("proj-dead", receiver.url("/dead")));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(
            herald
                .ingestion()
                .ingestStateChange(Requests.stateChange("proj-dead", "bot-" + i).build())
                .getDeliveryIds(0));
      }
      Eventually.await(
          "the endpoint to be paused",
          HeraldFixture.WAIT,
          () -> count(herald, "select count(*) from webhooks where unreachable_since is not null"),
          n -> n == 1);
      assertTrue(herald.webhooks().getWebhook(get(webhook)).getActive(), "paused, not disabled");

      herald.clock().advance(Duration.ofMinutes(61));
      Webhook disabled =
          Eventually.await(
              "the webhook to be disabled",
              HeraldFixture.WAIT,
              () -> herald.webhooks().getWebhook(get(webhook)),
              w -> !w.getActive());
      assertTrue(
          disabled.getDisabledReason().startsWith("unreachable since "),
          disabled.getDisabledReason());
      ids.forEach(id -> herald.awaitStatus(id, DeliveryStatus.DELIVERY_STATUS_FAILED));
      assertEquals(0, count(herald, "select count(*) from delivery_queue"));
      assertEquals(
          1,
          Scrapes.value(
              Scrapes.metrics(herald.httpPort()),
              "herald_webhooks_disabled_total{reason=\"unreachable\"}"));
    }
  }

  private static GetWebhookRequest get(Webhook webhook) {
    return GetWebhookRequest.newBuilder().setId(webhook.getId()).build();
  }

  private static long count(HeraldFixture herald, String sql) {
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
