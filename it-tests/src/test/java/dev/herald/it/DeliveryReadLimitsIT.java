package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads stay bounded however much a delivery has accumulated: the newest 25 attempts of each, and
 * pages of deliveries cut short before their text passes 1 Mi characters.
 */
class DeliveryReadLimitsIT {
  private static HeraldFixture herald;

  @BeforeAll
  static void start() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DELIVERY_ENABLED", "false");
    herald = HeraldFixture.start(settings);
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void aDeliveryWithManyAttemptsShowsTheNewestAndCountsThemAll() throws Exception {
    String project = "proj-many-attempts";
    herald.webhooks().createWebhook(Requests.webhook(project, "http://127.0.0.1:9/hook"));
    String id =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange(project, "bot").build())
            .getDeliveryIds(0);
    insertAttempts(UUID.fromString(id), 40);

    Delivery read = herald.delivery(id);
    assertEquals(40, read.getAttemptCount());
    assertEquals(
        rangeClosed(16, 40),
        read.getAttemptsList().stream().map(DeliveryAttempt::getAttemptNumber).toList(),
        "the newest 25, oldest first");
    Delivery listed =
        herald
            .deliveries()
            .listDeliveries(ListDeliveriesRequest.newBuilder().setProjectId(project).build())
            .getDeliveries(0);
    assertEquals(read.getAttemptsList(), listed.getAttemptsList());
  }

  @Test
  void aPageOfLargeDeliveriesEndsEarlyAndTheNextGoesOnFromThere() {
    String project = "proj-large-bodies";
    herald.webhooks().createWebhook(Requests.webhook(project, "http://127.0.0.1:9/hook"));
    Struct large =
        Struct.newBuilder()
            .putFields("blob", Value.newBuilder().setStringValue("m".repeat(60_000)).build())
            .build();
    for (int i = 0; i < 30; i++) {
      herald
          .ingestion()
          .ingestStateChange(Requests.stateChange(project, "bot").setBotMetadata(large).build());
    }

    List<Integer> pageSizes = new ArrayList<>();
    HashSet<String> seen = new HashSet<>();
    String token = "";
    do {
      ListDeliveriesResponse page =
          herald
              .deliveries()
              .listDeliveries(
                  ListDeliveriesRequest.newBuilder()
                      .setProjectId(project)
                      .setPageSize(200)
                      .setPageToken(token)
                      .build());
      pageSizes.add(page.getDeliveriesCount());
      page.getDeliveriesList()
          .forEach(d -> assertTrue(seen.add(d.getId()), "shown once: " + d.getId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertEquals(30, seen.size(), "every delivery, across pages " + pageSizes);
    assertTrue(
        pageSizes.get(0) < 30 && pageSizes.get(0) >= 16,
        "the first page ended early: " + pageSizes);
  }

  private static void insertAttempts(UUID delivery, int count) throws Exception {
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl);
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into delivery_attempts (delivery_id, attempt_number, url, start_time, duration_ms,"
                    + " response_status_code, response_body, error, succeeded, delivery_create_time)"
                    + " select d.id, ?, 'http://127.0.0.1:9/hook', now(), 5, 503, 'busy', '', false,"
                    + " d.create_time from deliveries d where d.id = ?")) {
      for (int n = 1; n <= count; n++) {
        insert.setInt(1, n);
        insert.setObject(2, delivery);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static List<Integer> rangeClosed(int from, int to) {
    List<Integer> numbers = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      numbers.add(n);
    }
    return numbers;
  }
}
