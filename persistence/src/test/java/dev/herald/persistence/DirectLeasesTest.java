package dev.herald.persistence;

import static dev.herald.domain.delivery.DeliveryQueue.ALL_DUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DirectDispatch;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.FanOut;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.webhook.DeliveryControls;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries leased to this server's dispatcher by the ingest that makes them, on a real
 * PostgreSQL: what is handed over is what a claim of the same delivery reads, and what must wait
 * (no room, an ordered webhook, a paused endpoint, a webhook passed over) is left to the claims.
 */
class DirectLeasesTest {
  private static final Duration LEASE = Duration.ofSeconds(60);

  private static EmbeddedPostgres postgres;
  private static Transactor transactor;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  private final Dispatcher dispatcher = new Dispatcher();
  private JooqSigningSecretRepository secrets;
  private PostgresDeliveryQueue queue;
  private PostgresEventRepository events;

  @BeforeAll
  static void startDatabase() throws IOException {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    postgres = EmbeddedPostgres.builder().start();
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
    transactor = new Transactor(DSL.using(postgres.getPostgresDatabase(), SQLDialect.POSTGRES));
  }

  @AfterAll
  static void stopDatabase() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void signingProject() {
    QueueFixtures.emptied(transactor);
    secrets = QueueFixtures.signing(transactor, "proj", now);
    queue =
        new PostgresDeliveryQueue(transactor, secrets, new OutcomeNotifications(new Listeners()));
    events =
        new PostgresEventRepository(
            transactor,
            new DeliveryAnnouncements(new Listeners()),
            new DirectLeases(dispatcher, secrets, Clock.systemUTC()));
  }

  @Test
  void aDeliveryWithRoomIsLeasedByItsIngestAndHandedOverAsItsClaimWouldReadIt() {
    webhook(Ordering.UNORDERED);

    IngestResult result = ingest("evt-1");

    assertFalse(result.queued(), "nothing left for a claim");
    assertEquals(1, dispatcher.taken.size());
    ClaimedDelivery taken = dispatcher.taken.get(0);
    assertEquals(result.deliveryIds().get(0), taken.id());
    assertTrue(dispatcher.leaseUntil.isAfter(now.plus(LEASE).minusSeconds(5)));
    Record row =
        transactor.outsideTransaction(
            dsl ->
                dsl.fetchOne(
                    "select lease_token, lease_until from delivery_queue where delivery_id = ?",
                    taken.id()));
    assertEquals(taken.leaseToken(), row.get(0, UUID.class), "leased under the handed token");
    assertTrue(queue.claimDue(10, ALL_DUE, now, now.plus(LEASE), Set.of()).isEmpty(), "held");

    Instant leaseOver = dispatcher.leaseUntil.plusSeconds(1);
    ClaimedDelivery claimed =
        queue.claimDue(10, ALL_DUE, leaseOver, leaseOver.plus(LEASE), Set.of()).get(0);
    assertEquals(claimed.id(), taken.id());
    assertEquals(claimed.idempotencyKey(), taken.idempotencyKey());
    assertEquals(claimed.payload(), taken.payload());
    assertEquals(claimed.url(), taken.url());
    assertEquals(claimed.webhookId(), taken.webhookId());
    assertEquals(claimed.projectId(), taken.projectId());
    assertEquals(claimed.botId(), taken.botId());
    assertEquals(claimed.createTime(), taken.createTime());
    assertEquals(claimed.attemptsMade(), taken.attemptsMade());
    assertEquals(claimed.maxRequestsPerSecond(), taken.maxRequestsPerSecond());
    assertEquals(claimed.signing().schemes(), taken.signing().schemes());
    assertEquals(claimed.signing().current().ed25519(), taken.signing().current().ed25519());
    assertFalse(taken.inLine());
    assertFalse(taken.probe());
  }

  @Test
  void beyondTheRoomAndBesideAWebhookPassedOverDeliveriesWaitForClaims() {
    Webhook first = webhook(Ordering.UNORDERED);
    Webhook second = webhook(Ordering.UNORDERED);
    dispatcher.opening = new DirectDispatch.Opening(1, Set.of());

    IngestResult result = ingest("evt-1");

    assertTrue(result.queued(), "one of two left for a claim");
    assertEquals(1, dispatcher.taken.size());
    assertEquals(1, claimable().size());

    dispatcher.taken.clear();
    dispatcher.opening = new DirectDispatch.Opening(10, Set.of(first.id()));
    assertTrue(ingest("evt-2").queued());
    assertEquals(
        List.of(second.id()), dispatcher.taken.stream().map(ClaimedDelivery::webhookId).toList());
  }

  @Test
  void anOrderedOrRateLimitedWebhooksAndAPausedEndpointsDeliveriesWaitForClaims() {
    webhook(Ordering.PER_BOT);
    webhook(new DeliveryControls(List.of(), Ordering.UNORDERED, OptionalInt.of(50)));
    Webhook paused = webhook(Ordering.UNORDERED);
    transactor.outsideTransaction(
        dsl ->
            dsl.execute(
                "update webhooks set unreachable_since = now(), next_probe_time = now() + interval '1 minute'"
                    + " where id = ?",
                paused.id()));

    IngestResult result = ingest("evt-1");

    assertTrue(result.queued());
    assertEquals(List.of(), dispatcher.taken);
    assertNull(
        transactor.outsideTransaction(
            dsl -> dsl.fetchValue("select max(lease_token::text) from delivery_queue")),
        "nothing leased");
    assertEquals(3, result.deliveryIds().size());
  }

  @Test
  void aServerThatDoesNotDispatchLeavesEveryDeliveryToTheClaims() {
    webhook(Ordering.UNORDERED);
    events = new PostgresEventRepository(transactor, new DeliveryAnnouncements(new Listeners()));

    assertTrue(ingest("evt-1").queued());
    assertEquals(1, claimable().size());
  }

  private List<ClaimedDelivery> claimable() {
    return queue.claimDue(10, ALL_DUE, now.plusSeconds(1), now.plus(LEASE), Set.of());
  }

  private Webhook webhook(Ordering ordering) {
    return webhook(new DeliveryControls(List.of(), ordering, OptionalInt.empty()));
  }

  private Webhook webhook(DeliveryControls controls) {
    Webhook webhook =
        new Webhook(
            UUID.randomUUID(),
            "proj",
            null,
            "https://example.com/" + UUID.randomUUID(),
            List.of(Trigger.BOT_STATE_CHANGE),
            true,
            null,
            now,
            now,
            controls);
    new JooqWebhookRepository(transactor).insertIfFewerThan(webhook, 100);
    return webhook;
  }

  private IngestResult ingest(String eventId) {
    Event event = QueueFixtures.joined(eventId, "bot", now);
    return events.recordOnce(event, candidates -> FanOut.deliveries(event, candidates)).join();
  }

  /** This server's dispatcher, as the ingest sees it: room, and the claims handed over. */
  private static final class Dispatcher implements DirectDispatch {
    volatile Opening opening = new Opening(10, Set.of());
    final List<ClaimedDelivery> taken = new ArrayList<>();
    Instant leaseUntil;

    @Override
    public Opening opening() {
      return opening;
    }

    @Override
    public Duration lease() {
      return LEASE;
    }

    @Override
    public synchronized void take(List<ClaimedDelivery> claims, Instant leaseUntil) {
      taken.addAll(claims);
      this.leaseUntil = leaseUntil;
    }
  }
}
