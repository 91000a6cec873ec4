package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.RecordedOutcome;
import dev.herald.domain.secret.ProjectSecrets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work queue: a narrow row in {@code delivery_queue} for each pending delivery, apart from the
 * delivery's record in {@code deliveries}. A claim ({@link Claims}) stamps a lease token and the
 * lease's end on the queue row: the delivery is passed over while its worker holds it, and is
 * claimable again by itself if the worker dies. Recording a batch of attempts ({@link RecordBatch})
 * deletes an ended delivery's queue row. Claims skip rows other workers have locked, so several
 * servers can share one database. The queue runs on connections of its own, whose statements are
 * all planned on indexes ({@link #INDEX_PLANS}). The statements are in {@link Claims}, {@link
 * AttemptRecords}, {@link Leases}, {@link Pauses} and {@link Probes}; what stays here is their
 * wiring.
 */
final class PostgresDeliveryQueue implements DeliveryQueue {
  private static final Logger log = LoggerFactory.getLogger(PostgresDeliveryQueue.class);

  /**
   * The planner settings of the queue's connections, applied once as each is opened: no sorts and
   * no sequential scans, so every statement finds its rows by key whatever its statistics, and
   * plans made once without the parameters' values (docs/performance.md, "Index plans").
   */
  static final String INDEX_PLANS =
      "set enable_sort = off; set enable_seqscan = off; set plan_cache_mode = force_generic_plan";

  /**
   * Connections the queue uses at most at once: the claim loop (which also asks for the next due
   * time), lease renewal, two record batches (a dispatcher records on two threads, and pauses or
   * resumes endpoints after them), the probes let go once a second, and the queue's statistics
   * every few seconds. Claims given back as their endpoint is paused share these.
   */
  static final int CONNECTIONS = 6;

  private final Transactor transactor;
  private final KeptSigningKeys signingKeys;
  private final OutcomeNotifications outcomes;
  private final AttemptUrls urls;

  PostgresDeliveryQueue(
      Transactor transactor, JooqSigningSecretRepository secrets, OutcomeNotifications outcomes) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.signingKeys = new KeptSigningKeys(secrets);
    this.outcomes = requireNonNull(outcomes, "outcomes");
    this.urls = new AttemptUrls(transactor);
  }

  /**
   * The claim commits by itself, a round trip fewer than a transaction around it and the keys,
   * which are read only for projects whose keys are not kept ({@link KeptSigningKeys}). Should
   * reading them then fail, the leases run out and the deliveries are claimed again, as when a
   * worker dies.
   */
  @Override
  public List<ClaimedDelivery> claimDue(
      int max, Instant dueSince, Instant now, Instant leaseUntil, Set<UUID> busyWebhooks) {
    UUID leaseToken = UUID.randomUUID();
    return transactor.outsideTransaction(
        dsl -> {
          Claims.Claimed claimed =
              dsl.connectionResult(
                  connection ->
                      Claims.claim(
                          connection, max, dueSince, now, leaseUntil, leaseToken, busyWebhooks));
          if (claimed.rows().isEmpty()) {
            return List.<ClaimedDelivery>of();
          }
          Set<String> projects =
              claimed.rows().stream().map(Claims.ClaimedRow::projectId).collect(Collectors.toSet());
          Map<String, ProjectSecrets> signing =
              signingKeys.at(dsl, projects, now, claimed.signingGeneration());
          return claimed.rows().stream()
              .map(
                  row ->
                      new ClaimedDelivery(
                          row.id(),
                          leaseToken,
                          row.idempotencyKey(),
                          row.webhookId(),
                          row.projectId(),
                          row.botId(),
                          row.url(),
                          row.payload(),
                          row.attemptsMade(),
                          row.roundStart(),
                          signing.get(row.projectId()),
                          row.createTime(),
                          row.inLine(),
                          row.maxRequestsPerSecond(),
                          row.probe()))
              .toList();
        });
  }

  @Override
  public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
    if (!claims.isEmpty()) {
      List<ClaimedDelivery> held = List.copyOf(claims);
      transactor.outsideTransaction(dsl -> Leases.renew(dsl, held, leaseUntil));
    }
  }

  /**
   * Successes alone are one statement, which needs no transaction of its own; with failures among
   * them, or deliveries of ordered lines, the statement and what follows share one transaction.
   */
  @Override
  public List<RecordedOutcome> recordAttempts(List<AttemptOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> urlNumbers =
        urls.numbersOf(outcomes.stream().map(o -> o.attempt().url()).toList());
    Map<UUID, RecordedOutcome> recorded = RecordBatch.write(transactor, outcomes, urlNumbers);
    List<RecordedOutcome> found =
        outcomes.stream()
            .map(o -> recorded.getOrDefault(o.claim().id(), RecordedOutcome.LOST))
            .toList();
    tellWatchers(outcomes, found);
    return found;
  }

  /**
   * After the record: a watcher must never see an outcome that was not stored. Losing the
   * notification loses a line of a live tail, never a delivery, so a failure only warns.
   */
  private void tellWatchers(List<AttemptOutcome> stored, List<RecordedOutcome> found) {
    List<DeliveryOutcome> held = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      if (found.get(i).held()) {
        held.add(DeliveryOutcome.of(stored.get(i)));
      }
    }
    try {
      transactor.outsideTransaction(
          dsl -> {
            outcomes.publish(dsl, held);
            return null;
          });
    } catch (RuntimeException e) {
      log.warn(
          "Could not notify watchers of {} recorded outcomes: {}", held.size(), e.getMessage());
    }
  }

  @Override
  public Optional<Instant> pauseEndpoint(
      UUID webhookId, Instant now, UnaryOperator<Instant> nextProbe) {
    return transactor.inTransaction(dsl -> Pauses.pause(dsl, webhookId, now, nextProbe));
  }

  @Override
  public boolean resumeEndpoint(UUID webhookId, Instant now) {
    return transactor.inTransaction(dsl -> Pauses.resume(dsl, webhookId, now));
  }

  @Override
  public int releaseProbes(Instant now, Duration probeLease) {
    return transactor.inTransaction(dsl -> Probes.release(dsl, now, probeLease));
  }

  @Override
  public Set<UUID> park(List<ClaimedDelivery> claims, Instant now) {
    return transactor.outsideTransaction(dsl -> Pauses.park(dsl, claims, now));
  }

  @Override
  public void release(ClaimedDelivery claim, Instant dueAt) {
    transactor.outsideTransaction(dsl -> Leases.release(dsl, claim, dueAt));
  }

  /**
   * When the earliest delivery not held under a running lease is due. A lease that ran out (its
   * holder died) makes the delivery claimable again.
   */
  @Override
  public Optional<Instant> nextDueTime(Instant now) {
    OffsetDateTime at = Times.toDb(now);
    return transactor.outsideTransaction(
        dsl ->
            Optional.ofNullable(
                    dsl.select(DSL.min(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
                        .from(DELIVERY_QUEUE)
                        .where(
                            DELIVERY_QUEUE
                                .LEASE_UNTIL
                                .isNull()
                                .or(DELIVERY_QUEUE.LEASE_UNTIL.le(at)),
                            // A parked delivery of a line is never due by itself.
                            DSL.condition(
                                "{0} < 'infinity'::timestamptz", DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
                        .fetchOne(0, OffsetDateTime.class))
                .map(Times::fromDb));
  }
}
