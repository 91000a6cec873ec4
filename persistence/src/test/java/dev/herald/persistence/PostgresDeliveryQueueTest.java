package dev.herald.persistence;

import static dev.herald.domain.delivery.DeliveryQueue.ALL_DUE;
import static dev.herald.domain.secret.SignatureScheme.V1;
import static dev.herald.domain.secret.SignatureScheme.V1A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.FanOut;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SignatureScheme;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's lease semantics, on a real PostgreSQL.
 *
 * <p>Past 250 lines as one class because every case starts from the same migrated database and one
 * due delivery, and the queue's statements (claim, lease, record, pause) are checked against the
 * rows the others leave.
 */
class PostgresDeliveryQueueTest {
  private static EmbeddedPostgres postgres;
  private static Transactor transactor;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  private PostgresDeliveryQueue queue;
  private JooqSigningSecretRepository secrets;
  private JooqDeliveryRepository deliveries;
  private UUID deliveryId;
  private UUID webhookId;

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
  void oneDueDelivery() {
    QueueFixtures.emptied(transactor);
    secrets = QueueFixtures.signing(transactor, "proj", now);
    queue =
        new PostgresDeliveryQueue(transactor, secrets, new OutcomeNotifications(new Listeners()));
    deliveries = new JooqDeliveryRepository(transactor, new DeliveryAnnouncements(new Listeners()));
    Webhook webhook =
        new Webhook(
            UUID.randomUUID(),
            "proj",
            null,
            "https://example.com/h",
            List.of(Trigger.BOT_STATE_CHANGE),
            true,
            null,
            now,
            now);
    new JooqWebhookRepository(transactor).insertIfFewerThan(webhook, 100);
    webhookId = webhook.id();
    deliveryId = ingest("evt");
  }

  /** Ingests an event for the webhook; returns its one delivery. */
  private UUID ingest(String eventId) {
    return ingest(eventId, now);
  }

  private UUID ingest(String eventId, Instant createTime) {
    Event event = QueueFixtures.joined(eventId, "bot", createTime);
    return new PostgresEventRepository(transactor, new DeliveryAnnouncements(new Listeners()))
        .recordOnce(event, candidates -> FanOut.deliveries(event, candidates))
        .join()
        .deliveryIds()
        .get(0);
  }

  @Test
  void aClaimCarriesTheProjectsSchemesAndItsEd25519PairOpenedFromStorage() {
    ProjectSecrets stored = secrets.signingAt("proj", now).orElseThrow();
    ProjectSecrets claimed =
        queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0).signing();
    assertEquals(SignatureScheme.DEFAULT, claimed.schemes(), "v1 until the project sets schemes");
    assertEquals(stored.current().ed25519(), claimed.current().ed25519());

    secrets.setSchemes("proj", EnumSet.of(V1, V1A), now);
    assertEquals(Set.of(V1, V1A), secrets.signingAt("proj", now).orElseThrow().schemes());
    secrets.setSchemes("proj", EnumSet.of(V1A), now);
    ProjectSecrets after =
        queue
            .claimDue(10, ALL_DUE, now.plusSeconds(61), now.plusSeconds(120), Set.of())
            .get(0)
            .signing();
    assertEquals(Set.of(V1A), after.schemes());
  }

  @Test
  void sendSlotsFollowOnFromTheLastTakenAndNeverStartBeforeNow() {
    PostgresSendSlots slots = new PostgresSendSlots(transactor);
    UUID webhook = UUID.randomUUID();
    Duration spacing = Duration.ofMillis(20);
    assertEquals(Duration.ZERO, slots.take(webhook, spacing, 5), "a webhook's first slot is now");
    Duration second = slots.take(webhook, spacing, 5);
    assertTrue(
        second.compareTo(Duration.ofMillis(50)) > 0
            && second.compareTo(Duration.ofMillis(100)) <= 0,
        "the next run starts where the first ends, 100 ms after it began: " + second);
    assertEquals(Duration.ZERO, slots.take(UUID.randomUUID(), spacing, 1), "webhooks apart");
  }

  @Test
  void aClaimedDeliveryIsNotClaimedAgainWhileItsLeaseRuns() {
    List<ClaimedDelivery> first = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    assertEquals(1, first.size());
    assertEquals(deliveryId, first.get(0).id());
    assertEquals("https://example.com/h", first.get(0).url());
    assertEquals(32, first.get(0).signing().current().key().length);
    assertTrue(
        queue.claimDue(10, ALL_DUE, now.plusSeconds(59), now.plusSeconds(120), Set.of()).isEmpty());
    assertTrue(
        queue.nextDueTime(now.plusSeconds(59)).isEmpty(),
        "a held delivery is not waiting to be due");
  }

  @Test
  void anExpiredLeaseMakesTheDeliveryDueAgainAndTheOldHolderLosesIt() {
    ClaimedDelivery crashed =
        queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    ClaimedDelivery next =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(61), now.plusSeconds(120), Set.of()).get(0);
    assertEquals(crashed.id(), next.id());

    assertFalse(
        queue
            .recordAttempt(crashed, attempt(1, 500), new NextStep.RetryAt(now.plusSeconds(5)))
            .held());
    assertTrue(queue.recordAttempt(next, attempt(1, 200), new NextStep.Succeed()).held());
    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.SUCCEEDED, delivery.status());
    assertEquals(1, delivery.attempts().size());
  }

  @Test
  void aRenewedLeaseKeepsTheDeliveryHeldUntilItsNewEnd() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.renew(List.of(claim), now.plusSeconds(300));
    assertTrue(
        queue
            .claimDue(10, ALL_DUE, now.plusSeconds(299), now.plusSeconds(400), Set.of())
            .isEmpty());
    assertEquals(
        1,
        queue.claimDue(10, ALL_DUE, now.plusSeconds(300), now.plusSeconds(400), Set.of()).size());
  }

  @Test
  void aLeaseAlreadyLostIsNotRenewed() {
    ClaimedDelivery crashed =
        queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.claimDue(10, ALL_DUE, now.plusSeconds(61), now.plusSeconds(120), Set.of());
    queue.renew(List.of(crashed), now.plusSeconds(600));
    assertEquals(
        1,
        queue.claimDue(10, ALL_DUE, now.plusSeconds(120), now.plusSeconds(180), Set.of()).size());
  }

  /**
   * A record of the attempt holds the row: renewal passes it over rather than wait and risk a
   * deadlock.
   */
  @Test
  void renewalPassesOverADeliveryBeingRecorded() throws Exception {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    try (Connection recording = postgres.getPostgresDatabase().getConnection()) {
      recording.setAutoCommit(false);
      try (PreparedStatement lock =
          recording.prepareStatement(
              "select 1 from delivery_queue where delivery_id = ? for update")) {
        lock.setObject(1, claim.id());
        lock.executeQuery().close();
      }
      CompletableFuture.runAsync(() -> queue.renew(List.of(claim), now.plusSeconds(600)))
          .get(30, TimeUnit.SECONDS);
      recording.rollback();
    }
    assertEquals(
        1, queue.claimDue(10, ALL_DUE, now.plusSeconds(60), now.plusSeconds(120), Set.of()).size());
  }

  @Test
  void aRetryIsDueAtItsTimeAndNotBefore() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    assertTrue(
        queue
            .recordAttempt(claim, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30)))
            .held());

    assertEquals(now.plusSeconds(30), queue.nextDueTime(now).orElseThrow());
    assertTrue(
        queue.claimDue(10, ALL_DUE, now.plusSeconds(29), now.plusSeconds(90), Set.of()).isEmpty());
    ClaimedDelivery retry =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(30), now.plusSeconds(90), Set.of()).get(0);
    assertEquals(2, retry.nextAttemptNumber());
  }

  @Test
  void aRetryShowsWhenItIsDueAndAnEndedDeliveryShowsNoDueTime() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.recordAttempt(claim, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30)));
    assertEquals(now.plusSeconds(30), deliveries.find(deliveryId).orElseThrow().nextAttemptTime());

    ClaimedDelivery retry =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(30), now.plusSeconds(90), Set.of()).get(0);
    queue.recordAttempt(retry, attempt(2, 200), new NextStep.Succeed());
    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.SUCCEEDED, delivery.status());
    assertNull(delivery.nextAttemptTime());
    assertTrue(queue.nextDueTime(now.plusSeconds(3600)).isEmpty());
  }

  @Test
  void aSuccessLeavesTheDeliverysRowAsMadeAndIsReadFromItsAttempts() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.recordAttempt(claim, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30)));
    ClaimedDelivery retry =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(30), now.plusSeconds(90), Set.of()).get(0);
    Instant secondStart = now.plusSeconds(31);
    queue.recordAttempt(
        retry, attempt(2, 204, secondStart, Duration.ofMillis(7)), new NextStep.Succeed());

    assertEquals(
        "NULL NULL",
        transactor.outsideTransaction(
            dsl ->
                dsl.fetchValue(
                    "select format('%L %L', status, failure_reason) from deliveries where id = ?",
                    deliveryId)));
    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.SUCCEEDED, delivery.status());
    assertEquals(2, delivery.attemptCount());
    assertEquals(secondStart, delivery.lastAttemptTime());
    assertEquals(secondStart.plusMillis(7), delivery.succeededTime());
    assertEquals(
        List.of(delivery), deliveries.list(filter(DeliveryStatus.SUCCEEDED), page()).items());
    assertEquals(List.of(), deliveries.list(filter(DeliveryStatus.PENDING), page()).items());
  }

  @Test
  void attemptsNameTheirUrlsByNumberOneEachWhicheverServerSentThem() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.recordAttempt(claim, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30)));
    UUID second = ingest("evt-2");
    var otherServer =
        new PostgresDeliveryQueue(transactor, secrets, new OutcomeNotifications(new Listeners()));
    List<ClaimedDelivery> due =
        otherServer.claimDue(10, ALL_DUE, now.plusSeconds(30), now.plusSeconds(90), Set.of());
    assertEquals(2, due.size());
    for (ClaimedDelivery held : due) {
      boolean moved = held.id().equals(deliveryId);
      otherServer.recordAttempt(
          held,
          new DeliveryAttempt(
              moved ? 2 : 1,
              moved ? "https://example.com/moved" : "https://example.com/h",
              now.plusSeconds(31),
              Duration.ofMillis(5),
              204,
              "",
              "",
              true,
              null),
          new NextStep.Succeed());
    }

    assertEquals(
        List.of("https://example.com/h", "https://example.com/moved"),
        deliveries.find(deliveryId).orElseThrow().attempts().stream()
            .map(DeliveryAttempt::url)
            .toList());
    assertEquals(
        List.of("https://example.com/h"),
        deliveries.find(second).orElseThrow().attempts().stream()
            .map(DeliveryAttempt::url)
            .toList());
    assertEquals(
        "2 urls, 3 attempts to 2 numbers, none with its own",
        transactor.outsideTransaction(
            dsl ->
                dsl.fetchValue(
                    "select format('%s urls, %s attempts to %s numbers, none with its own',"
                        + " (select count(*) from attempt_urls), count(*),"
                        + " count(distinct url_id)) from delivery_attempts where url = ''")));
  }

  @Test
  void aDeliveryPutBackStartsARoundAfterTheAttemptsItHad() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    queue.recordAttempt(claim, attempt(1, 500), new NextStep.Fail());
    assertEquals(DeliveryStatus.FAILED, deliveries.find(deliveryId).orElseThrow().status());
    assertEquals(1, deliveries.list(filter(DeliveryStatus.FAILED), page()).items().size());

    assertTrue(deliveries.requeue(deliveryId, now));
    assertFalse(deliveries.requeue(deliveryId, now), "already back in the queue");
    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.PENDING, delivery.status());
    assertNull(delivery.failureReason());
    assertEquals(1, deliveries.list(filter(DeliveryStatus.PENDING), page()).items().size());
    assertEquals(List.of(), deliveries.list(filter(DeliveryStatus.FAILED), page()).items());
    ClaimedDelivery again = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    assertEquals(2, again.nextAttemptNumber());
    assertEquals(1, again.nextAttemptInRound());
  }

  @Test
  void aDeliveryEndedByItsWebhooksDeletionStaysEndedThoughItsAttemptInFlightSucceeds() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    assertTrue(new JooqWebhookRepository(transactor).delete(webhookId, now, "webhook deleted"));

    assertFalse(queue.recordAttempt(claim, attempt(1, 200), new NextStep.Succeed()).held());
    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.FAILED, delivery.status());
    assertEquals("webhook deleted", delivery.failureReason());
    assertEquals(1, delivery.attempts().size(), "the attempt made is still listed");
    assertTrue(
        queue
            .claimDue(10, ALL_DUE, now.plusSeconds(120), now.plusSeconds(180), Set.of())
            .isEmpty());
  }

  @Test
  void aReturningBacklogIsClaimedWhereItWaitsOldestFirst() {
    UUID older = ingest("older", now.minusSeconds(2));
    UUID oldest = ingest("oldest", now.minusSeconds(3));
    assertTrue(queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60)).isPresent());

    assertTrue(queue.resumeEndpoint(webhookId, now));
    assertEquals(3, parked(), "its backlog still waits where it was parked");
    assertEquals(
        Set.of(),
        ids(queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of(webhookId))),
        "a claim that passes the webhook over takes none of its backlog");
    assertEquals(
        Set.of(oldest, older), ids(queue.claimDue(2, ALL_DUE, now, now.plusSeconds(60), Set.of())));
    assertEquals(
        Set.of(deliveryId), ids(queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of())));
    assertEquals(3, parked(), "claimed where they wait, not made due first");

    queue.releaseProbes(now, Duration.ofMinutes(1));
    assertEquals(1, returning(), "its claimed deliveries are not done yet");
    transactor.outsideTransaction(
        dsl -> dsl.execute("delete from delivery_queue where webhook_id = ?", webhookId));
    queue.releaseProbes(now, Duration.ofMinutes(1));
    assertEquals(0, returning(), "none is left");
  }

  @Test
  void aClaimReadsADeliveryOfLastWeekBesideTodaysOne() throws SQLException {
    Instant lastWeek = now.minus(Duration.ofDays(6));
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      Map<String, List<Partitions.Partition>> existing = Partitions.list(connection);
      for (Partitions.PartitionedTable table : Partitions.TABLES) {
        Partitions.addDay(
            connection,
            table,
            existing.get(table.name()),
            LocalDate.ofInstant(lastWeek, ZoneOffset.UTC));
      }
    }
    UUID ofLastWeek = ingest("last-week", lastWeek);

    List<ClaimedDelivery> claimed = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());

    assertEquals(Set.of(ofLastWeek, deliveryId), ids(claimed));
    for (ClaimedDelivery claim : claimed) {
      Instant made = claim.id().equals(ofLastWeek) ? lastWeek : now;
      assertEquals(made, claim.createTime());
      assertEquals("proj", claim.projectId());
      assertEquals("bot", claim.botId());
      assertEquals("https://example.com/h", claim.url());
      assertTrue(
          claim.payload().contains(claim.idempotencyKey().toString()),
          "its event's body with its own key: " + claim.payload());
    }
  }

  @Test
  void aFailureRecordedAfterItsEndpointWasPausedWaitsParkedNotForItsRetry() {
    UUID other = ingest("before-the-pause", now.minusSeconds(1));
    List<ClaimedDelivery> claimed = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    ClaimedDelivery first = claimed.get(0);
    ClaimedDelivery second = claimed.get(1);
    assertEquals(
        RecordedOutcome.HELD,
        queue.recordAttempt(first, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30))));
    assertEquals(0, parked(), "not paused yet: due at its retry's time");

    queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60));
    assertEquals(1, parked(), "the pause parks the retry that waits, not the one in flight");
    assertEquals(
        RecordedOutcome.PARKED,
        queue.recordAttempt(second, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30))),
        "held, and said to wait parked rather than for its retry");

    assertEquals(2, parked(), "the attempt that went before the pause waits with the rest");
    assertEquals(Set.of(first.id(), second.id()), Set.of(deliveryId, other));
    assertTrue(
        queue.claimDue(10, ALL_DUE, now.plusSeconds(31), now.plusSeconds(90), Set.of()).isEmpty(),
        "nothing falls due at the retry's time");
  }

  @Test
  void aPauseAskedForAgainSetsTheNextProbeAndLeavesTheQueueAsItIs() {
    Instant since = now.truncatedTo(ChronoUnit.MICROS);
    assertEquals(Optional.of(since), queue.pauseEndpoint(webhookId, now, s -> s.plusSeconds(60)));
    assertEquals(1, parked());
    // Made as the pause began, in an ingest whose snapshot came before it.
    transactor.outsideTransaction(
        dsl ->
            dsl.execute(
                "update delivery_queue set next_attempt_time = ?::timestamptz", now.toString()));

    assertEquals(
        Optional.of(since),
        queue.pauseEndpoint(webhookId, now.plusSeconds(10), s -> s.plusSeconds(120)));
    assertEquals(0, parked(), "the queue is not parked again");
    assertEquals(
        since.plusSeconds(120), probeTime(), "the next probe is set from when the pause began");

    ClaimedDelivery straggler =
        queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    assertTrue(straggler.probe(), "claimed while its endpoint is paused");
    assertEquals(
        RecordedOutcome.PARKED,
        queue.recordAttempt(straggler, attempt(1, 503), new NextStep.RetryAt(now.plusSeconds(30))));
    assertEquals(1, parked(), "its failure parks it");
  }

  @Test
  void claimsGivenBackTogetherWaitParkedWhileTheirEndpointIsPaused() {
    ingest("evt-2");
    UUID lostId = ingest("evt-3");
    List<ClaimedDelivery> claims = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60));
    assertEquals(0, parked(), "all three are held by the claim");
    ClaimedDelivery lost =
        claims.stream().filter(c -> c.id().equals(lostId)).findFirst().orElseThrow();
    queue.release(lost, now);

    assertEquals(Set.of(), queue.park(claims, now), "the endpoint is paused");

    assertEquals(2, parked(), "the two still held wait parked; the one not held is left as it is");
    assertEquals(Optional.of(now), queue.nextDueTime(now));
  }

  @Test
  void aClaimGivenBackOnceItsEndpointIsBackIsDueNow() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);

    assertEquals(Set.of(webhookId), queue.park(List.of(claim), now), "not paused");

    assertEquals(0, parked());
    assertEquals(Optional.of(now), queue.nextDueTime(now));
  }

  private Instant probeTime() {
    return transactor.outsideTransaction(
                dsl ->
                    dsl.fetchValue("select next_probe_time from webhooks where id = ?", webhookId))
            instanceof OffsetDateTime time
        ? time.toInstant()
        : null;
  }

  @Test
  void aPauseStopsClaimsTakingAReturningBacklog() {
    queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60));
    queue.resumeEndpoint(webhookId, now);
    queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60));
    assertEquals(0, returning());
    assertTrue(queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of()).isEmpty());
  }

  @Test
  void aDeliveryIngestedWhileItsEndpointIsPausedWaitsParked() {
    assertTrue(queue.pauseEndpoint(webhookId, now, since -> since.plusSeconds(60)).isPresent());
    int parkedByThePause = parked();

    UUID whilePaused = ingest("while-paused", now.plusSeconds(1));

    assertEquals(parkedByThePause + 1, parked(), "parked as it is queued");
    assertFalse(
        ids(queue.claimDue(10, ALL_DUE, now.plusSeconds(2), now.plusSeconds(60), Set.of()))
            .contains(whilePaused));
  }

  private int parked() {
    return transactor.outsideTransaction(
        dsl ->
            (Integer)
                dsl.fetchValue(
                    "select count(*)::int from delivery_queue where next_attempt_time ="
                        + " 'infinity'"));
  }

  private int returning() {
    return transactor.outsideTransaction(
        dsl -> (Integer) dsl.fetchValue("select count(*)::int from returning_backlogs"));
  }

  private static Set<UUID> ids(List<ClaimedDelivery> claims) {
    return claims.stream().map(ClaimedDelivery::id).collect(Collectors.toSet());
  }

  @Test
  void aReleasedDeliveryIsDueAtTheTimeGiven() {
    ClaimedDelivery claim = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(600), Set.of()).get(0);
    queue.release(claim, now.plusSeconds(5));
    assertEquals(Optional.of(now.plusSeconds(5)), queue.nextDueTime(now));
    assertEquals(
        1, queue.claimDue(10, ALL_DUE, now.plusSeconds(5), now.plusSeconds(700), Set.of()).size());
  }

  @Test
  void aBatchRecordsEachRetryItsClaimStillHoldsAndEndsItsSuccesses() {
    UUID second = ingest("evt-2");
    UUID third = ingest("evt-3");
    List<ClaimedDelivery> claims = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    ClaimedDelivery retried = claims.get(0);
    ClaimedDelivery succeeded = claims.get(1);
    ClaimedDelivery lost = claims.get(2);
    queue.release(lost, now);
    Instant retryAt = now.plusSeconds(30);

    List<RecordedOutcome> recorded =
        queue.recordAttempts(
            List.of(
                new AttemptOutcome(retried, attempt(1, 503), new NextStep.RetryAt(retryAt)),
                new AttemptOutcome(succeeded, attempt(1, 200), new NextStep.Succeed()),
                new AttemptOutcome(lost, attempt(1, 503), new NextStep.RetryAt(retryAt))));

    assertEquals(
        List.of(RecordedOutcome.HELD, RecordedOutcome.HELD, RecordedOutcome.LOST), recorded);
    assertEquals(Set.of(deliveryId, second, third), ids(claims));
    assertEquals(
        Set.of(lost.id()),
        ids(queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of())),
        "the one given back is due now; the retried waits for its time, the succeeded is gone");
    List<ClaimedDelivery> atRetry =
        queue.claimDue(10, ALL_DUE, retryAt, retryAt.plusSeconds(60), Set.of());
    assertEquals(Set.of(retried.id()), ids(atRetry));
    assertEquals(1, atRetry.get(0).attemptsMade(), "its queue row counts the attempt");
  }

  @Test
  void aBatchEndsASuccessOnlyUnderTheLeaseThatHoldsIt() {
    UUID second = ingest("evt-2");
    ClaimedDelivery crashed = queue.claimDue(1, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    List<ClaimedDelivery> next =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(61), now.plusSeconds(120), Set.of());
    assertEquals(Set.of(deliveryId, second), ids(next));
    ClaimedDelivery again =
        next.stream().filter(c -> c.id().equals(crashed.id())).findFirst().orElseThrow();
    ClaimedDelivery other =
        next.stream().filter(c -> !c.id().equals(crashed.id())).findFirst().orElseThrow();

    assertEquals(
        List.of(RecordedOutcome.LOST, RecordedOutcome.HELD),
        queue.recordAttempts(
            List.of(
                new AttemptOutcome(crashed, attempt(1, 200), new NextStep.Succeed()),
                new AttemptOutcome(other, attempt(1, 200), new NextStep.Succeed()))));
    assertEquals(
        Set.of(crashed.id()),
        ids(queue.claimDue(10, ALL_DUE, now.plusSeconds(120), now.plusSeconds(180), Set.of())),
        "the success under a lease already lost leaves its delivery to the new holder");

    ClaimedDelivery latest =
        queue.claimDue(10, ALL_DUE, now.plusSeconds(181), now.plusSeconds(240), Set.of()).get(0);
    queue.recordAttempts(
        List.of(
            new AttemptOutcome(again, attempt(1, 200), new NextStep.Succeed()),
            new AttemptOutcome(latest, attempt(1, 200), new NextStep.Succeed())));
    assertTrue(
        queue.claimDue(10, ALL_DUE, now.plusSeconds(300), now.plusSeconds(360), Set.of()).isEmpty(),
        "the same delivery twice in a batch, the holder's success second, ends it");
  }

  /** As when a batch's commit went unanswered and the recorder wrote it again. */
  @Test
  void aBatchWrittenAgainListsEachAttemptOnceAndHoldsNothing() throws Exception {
    UUID second = ingest("evt-2");
    List<ClaimedDelivery> claims = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    assertEquals(Set.of(deliveryId, second), ids(claims));
    List<AttemptOutcome> batch =
        claims.stream()
            .map(claim -> new AttemptOutcome(claim, attempt(1, 200), new NextStep.Succeed()))
            .toList();

    assertEquals(List.of(RecordedOutcome.HELD, RecordedOutcome.HELD), queue.recordAttempts(batch));
    assertEquals(List.of(RecordedOutcome.LOST, RecordedOutcome.LOST), queue.recordAttempts(batch));
    for (UUID id : List.of(deliveryId, second)) {
      var delivery = deliveries.find(id).orElseThrow();
      assertEquals(DeliveryStatus.SUCCEEDED, delivery.status());
      assertEquals(1, delivery.attempts().size());
    }
  }

  @Test
  void aBatchRetriesADeliveryListedTwiceAsTheLeaseThatHoldsItSays() {
    ClaimedDelivery crashed = queue.claimDue(1, ALL_DUE, now, now.plusSeconds(60), Set.of()).get(0);
    ClaimedDelivery holder =
        queue.claimDue(1, ALL_DUE, now.plusSeconds(61), now.plusSeconds(120), Set.of()).get(0);
    assertEquals(crashed.id(), holder.id());
    Instant crashedRetryAt = now.plusSeconds(130);
    Instant holderRetryAt = now.plusSeconds(200);

    queue.recordAttempts(
        List.of(
            new AttemptOutcome(crashed, attempt(1, 503), new NextStep.RetryAt(crashedRetryAt)),
            new AttemptOutcome(holder, attempt(2, 503), new NextStep.RetryAt(holderRetryAt))));
    assertTrue(
        queue
            .claimDue(10, ALL_DUE, crashedRetryAt, crashedRetryAt.plusSeconds(60), Set.of())
            .isEmpty(),
        "the retry under a lease already lost is not the one applied");
    List<ClaimedDelivery> atRetry =
        queue.claimDue(10, ALL_DUE, holderRetryAt, holderRetryAt.plusSeconds(60), Set.of());
    assertEquals(Set.of(crashed.id()), ids(atRetry));
    assertEquals(2, atRetry.get(0).attemptsMade(), "the holder's attempt is the one counted");
  }

  @Test
  void aRecordReportsTheWebhooksFailuresInARowAndASuccessClearsThem() {
    UUID second = ingest("evt-2");
    UUID third = ingest("evt-3");
    List<ClaimedDelivery> claims = queue.claimDue(10, ALL_DUE, now, now.plusSeconds(60), Set.of());
    assertEquals(Set.of(deliveryId, second, third), ids(claims));

    assertEquals(
        new RecordedOutcome(true, 1),
        queue.recordAttempt(claims.get(0), attempt(1, 500), new NextStep.Fail()));
    assertEquals(
        new RecordedOutcome(true, 2),
        queue.recordAttempt(claims.get(1), attempt(1, 500), new NextStep.Fail()));
    assertEquals(2, failuresInARow());
    assertEquals(
        RecordedOutcome.HELD,
        queue.recordAttempt(claims.get(2), attempt(1, 200), new NextStep.Succeed()));
    assertEquals(0, failuresInARow());
  }

  @Test
  void disablingAWebhookEndsItsPendingDeliveriesOnce() {
    JooqWebhookRepository webhooks = new JooqWebhookRepository(transactor);
    assertTrue(webhooks.disable(webhookId, "gone", "webhook disabled (gone)", now));
    assertFalse(webhooks.disable(webhookId, "gone", "webhook disabled (gone)", now));

    var delivery = deliveries.find(deliveryId).orElseThrow();
    assertEquals(DeliveryStatus.FAILED, delivery.status());
    assertEquals("webhook disabled (gone)", delivery.failureReason());
    assertEquals("gone", webhooks.find(webhookId).orElseThrow().disabledReason());
    assertTrue(queue.nextDueTime(now.plusSeconds(3600)).isEmpty());
  }

  private int failuresInARow() {
    return transactor.outsideTransaction(
                dsl ->
                    dsl.fetchValue(
                        "select consecutive_failed_deliveries from webhooks where id = ?",
                        webhookId))
            instanceof Integer count
        ? count
        : -1;
  }

  private static DeliveryFilter filter(DeliveryStatus status) {
    return new DeliveryFilter("proj", Optional.empty(), Optional.empty(), Optional.of(status));
  }

  private static PageRequest page() {
    return new PageRequest(10, Optional.empty());
  }

  private DeliveryAttempt attempt(int number, int status) {
    return attempt(number, status, now, Duration.ofMillis(5));
  }

  private DeliveryAttempt attempt(int number, int status, Instant start, Duration duration) {
    return new DeliveryAttempt(
        number, "https://example.com/h", start, duration, status, "", "", status < 300, null);
  }
}
