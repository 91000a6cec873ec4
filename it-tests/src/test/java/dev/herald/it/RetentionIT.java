package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.TimeOrderedIds;
import dev.herald.persistence.Retention;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.RetryDeliveryRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * History past {@code HERALD_RETENTION} goes by whole days: an old day's events, deliveries and
 * attempts are dropped together, a day with a delivery still pending stays until it is done, and
 * what went is gone from every read. Old days are made as the retention pass makes days, by a pass
 * whose clock stands ten days back, and filled as an ingest of then would have.
 *
 * <p>Past 250 lines as one class because its cases build old days with the same helpers, written
 * once at the end, over one server and database.
 */
class RetentionIT {
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final String PROJECT = "proj-retention";
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

  private HeraldFixture herald;
  private Receiver receiver;
  private DataSource database;
  private String webhookId;
  private String url;

  @BeforeEach
  void start() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_RETENTION", "7d");
    herald = HeraldFixture.start(settings);
    receiver = Receiver.http();
    url = receiver.url("/kept");
    webhookId = herald.webhooks().createWebhook(Requests.webhook(PROJECT, url)).getId();
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(herald.jdbcUrl);
    database = source;
  }

  @AfterEach
  void stop() {
    receiver.close();
    herald.close();
  }

  @Test
  void dropsTheDaysPastTheRetentionAndKeepsADayWithPendingWorkUntilItIsDone() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Instant tenDaysAgo = today.minusDays(10).atTime(12, 0).toInstant(ZoneOffset.UTC);
    Instant nineDaysAgo = tenDaysAgo.plus(Duration.ofDays(1));
    new Retention(database, RETENTION, Clock.fixed(tenDaysAgo, ZoneOffset.UTC)).apply();
    UUID done = insertDelivery(tenDaysAgo, false);
    UUID pending = insertDelivery(nineDaysAgo, true);
    String fresh =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange(PROJECT, "bot").build())
            .getDeliveryIds(0);
    herald.awaitStatus(fresh, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);

    List<String> dropped;
    try (LogCapture log = LogCapture.attach()) {
      dropped = new Retention(database, RETENTION, Clock.systemUTC()).apply();
      assertTrue(
          log.lines().stream().anyMatch(line -> line.startsWith("Dropped partitions events_")),
          log.lines().toString());
      assertTrue(
          log.lines().stream().anyMatch(line -> line.contains("1 of its deliveries still pending")),
          log.lines().toString());
    }

    String doneDay = DAY.format(today.minusDays(10));
    assertTrue(
        dropped.containsAll(
            List.of("events_" + doneDay, "deliveries_" + doneDay, "delivery_attempts_" + doneDay)),
        dropped.toString());
    assertFalse(
        dropped.contains("deliveries_" + DAY.format(today.minusDays(9))), dropped.toString());
    assertNotFound(done);
    assertEquals(
        Status.Code.NOT_FOUND,
        assertThrows(
                StatusRuntimeException.class,
                () ->
                    herald
                        .deliveries()
                        .retryDelivery(
                            RetryDeliveryRequest.newBuilder().setId(done.toString()).build()))
            .getStatus()
            .getCode());
    assertEquals(
        DeliveryStatus.DELIVERY_STATUS_PENDING, herald.delivery(pending.toString()).getStatus());
    assertEquals(Set.of(pending.toString(), fresh), listed());

    makeDue(pending);
    herald.awaitStatus(pending.toString(), DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    List<String> droppedOnceDone = new Retention(database, RETENTION, Clock.systemUTC()).apply();

    assertTrue(
        droppedOnceDone.contains("deliveries_" + DAY.format(today.minusDays(9))),
        droppedOnceDone.toString());
    assertNotFound(pending);
    assertEquals(Set.of(fresh), listed());
    assertEquals(
        DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, herald.delivery(fresh).getStatus(), "today's");
  }

  /** A server making its pass holds the lock: another finds it taken and does nothing. */
  @Test
  void oneServerAtATimeDropsDays() throws Exception {
    Instant tenDaysAgo = Instant.now().minus(Duration.ofDays(10));
    new Retention(database, RETENTION, Clock.fixed(tenDaysAgo, ZoneOffset.UTC)).apply();
    UUID old = insertDelivery(tenDaysAgo, false);
    try (Connection other = database.getConnection();
        PreparedStatement lock = other.prepareStatement("select pg_advisory_lock(?)")) {
      lock.setLong(1, Retention.LOCK);
      lock.execute();

      assertEquals(List.of(), new Retention(database, RETENTION, Clock.systemUTC()).apply());
      assertEquals(old.toString(), herald.delivery(old.toString()).getId());
    }

    assertFalse(new Retention(database, RETENTION, Clock.systemUTC()).apply().isEmpty());
    assertNotFound(old);
  }

  /**
   * An event id is unique per day's partition, and the ingest looks a day back: an event ingested
   * just before midnight is known when it is sent again after.
   */
  @Test
  void anEventIdIsKnownAcrossMidnight() throws Exception {
    Instant startOfToday = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant lastMillisecondOfYesterday = startOfToday.minusMillis(1);
    new Retention(database, RETENTION, Clock.fixed(lastMillisecondOfYesterday, ZoneOffset.UTC))
        .apply();
    UUID first = insertDelivery(lastMillisecondOfYesterday, false, "evt-midnight");

    IngestStateChangeResponse replay =
        herald
            .ingestion()
            .ingestStateChange(
                Requests.stateChange(PROJECT, "bot").setEventId("evt-midnight").build());

    assertEquals(List.of(first.toString()), replay.getDeliveryIdsList());
  }

  /**
   * A page reads the last day first, then the last eight, then every day kept: a bot's deliveries
   * still come newest first across the days, and the next page goes on where the last one ended.
   */
  @Test
  void aBotsPagesReachBackAcrossTheDaysNewestFirst() throws Exception {
    Instant sixDaysAgo = Instant.now().minus(Duration.ofDays(6));
    new Retention(database, RETENTION, Clock.fixed(sixDaysAgo, ZoneOffset.UTC)).apply();
    UUID older = insertDelivery(sixDaysAgo, false);
    UUID old = insertDelivery(sixDaysAgo.plus(Duration.ofDays(3)), false);
    String fresh =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange(PROJECT, "bot").build())
            .getDeliveryIds(0);
    ListDeliveriesRequest firstPage =
        ListDeliveriesRequest.newBuilder()
            .setProjectId(PROJECT)
            .setBotId("bot")
            .setPageSize(2)
            .build();

    ListDeliveriesResponse first = herald.deliveries().listDeliveries(firstPage);
    ListDeliveriesResponse second =
        herald
            .deliveries()
            .listDeliveries(firstPage.toBuilder().setPageToken(first.getNextPageToken()).build());

    assertEquals(List.of(fresh, old.toString()), ids(first));
    assertEquals(List.of(older.toString()), ids(second));
    assertEquals("", second.getNextPageToken());
  }

  private static List<String> ids(ListDeliveriesResponse page) {
    return page.getDeliveriesList().stream().map(Delivery::getId).toList();
  }

  private UUID insertDelivery(Instant time, boolean pending) throws SQLException {
    return insertDelivery(time, pending, null);
  }

  /**
   * An event ({@code eventId}, or its id if null), its delivery to the webhook and one failed
   * attempt, made at {@code time}: ended, or pending with its retry a day away.
   */
  private UUID insertDelivery(Instant time, boolean pending, String eventId) throws SQLException {
    Instant at = time.truncatedTo(ChronoUnit.MICROS);
    UUID event = TimeOrderedIds.at(at);
    UUID delivery = TimeOrderedIds.at(at);
    Timestamp createTime = Timestamp.from(at);
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl)) {
      connection.setAutoCommit(false);
      Sql.execute(
          connection,
          "insert into events (id, project_id, event_id, bot_id, create_time)"
              + " values (?, ?, ?, 'bot', ?)",
          event,
          PROJECT,
          eventId == null ? event.toString() : eventId,
          createTime);
      Sql.execute(
          connection,
          "insert into deliveries (id, event_id, webhook_id, project_id, bot_id,"
              + " idempotency_key, payload, status, create_time)"
              + " values (?, ?, ?, ?, 'bot', ?, '{\"trigger\":\"bot.state_change\"}', ?, ?)",
          delivery,
          event,
          UUID.fromString(webhookId),
          PROJECT,
          UUID.randomUUID(),
          pending ? null : "FAILED",
          createTime);
      Sql.execute(
          connection,
          "insert into delivery_attempts (delivery_id, attempt_number, url, start_time,"
              + " duration_ms, response_status_code, response_body, error, succeeded,"
              + " delivery_create_time) values (?, 1, ?, ?, 5, 503, 'busy', '', false, ?)",
          delivery,
          url,
          createTime,
          createTime);
      if (pending) {
        Sql.execute(
            connection,
            "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time,"
                + " delivery_create_time, attempts_made) values (?, ?, now() + interval '1 day', ?, 1)",
            delivery,
            UUID.fromString(webhookId),
            createTime);
      }
      connection.commit();
    }
    return delivery;
  }

  private void makeDue(UUID delivery) throws SQLException {
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl)) {
      Sql.execute(
          connection,
          "update delivery_queue set next_attempt_time = now() where delivery_id = ?",
          delivery);
    }
  }

  private Set<String> listed() {
    Set<String> ids = new HashSet<>();
    for (Delivery delivery :
        herald
            .deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder().setProjectId(PROJECT).setPageSize(100).build())
            .getDeliveriesList()) {
      ids.add(delivery.getId());
    }
    return ids;
  }

  private void assertNotFound(UUID delivery) {
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> herald.delivery(delivery.toString()));
    assertEquals(Status.Code.NOT_FOUND, refused.getStatus().getCode());
  }
}
