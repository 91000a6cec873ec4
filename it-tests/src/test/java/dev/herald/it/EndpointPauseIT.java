package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Webhook;
import dev.herald.testing.Eventually;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
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
    // Probes spend attempts of the oldest delivery: enough of them that none fails here.
    settings.put("HERALD_RETRY_MAX_RETRIES", "50");
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
      Thread.sleep(2_500);
      int probes = receiver.requests("/down").size() - sentWhileDown;
      assertTrue(
          sentWhileDown < 100 && probes <= 3,
          "a paused endpoint gets probes, not its backlog: "
              + sentWhileDown
              + " requests before the pause took hold, "
              + probes
              + " in 2.5 s after");
      assertTrue(
          count(herald, "select count(*) from delivery_queue where next_attempt_time = 'infinity'")
              > BACKLOG - 100,
          "the backlog waits parked");

      // Another endpoint is served meanwhile.
      herald.ingestion().ingestStateChange(Requests.stateChange("proj-up", "bot").build());
      receiver.awaitRequests("/up", 1, HeraldFixture.WAIT);

      down.set(false);
      Eventually.await(
          "the whole backlog to be delivered",
          HeraldFixture.WAIT.plus(Duration.ofSeconds(30)),
          () -> count(herald, "select count(*) from deliveries where status = 'SUCCEEDED'"),
          n -> n == BACKLOG + 1);
      assertEquals(
          0,
          count(herald, "select count(*) from webhooks where next_probe_time is not null"),
          "the pause and the letting go are over");
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
