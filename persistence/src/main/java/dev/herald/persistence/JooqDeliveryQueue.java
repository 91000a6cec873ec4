package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.secret.SigningSecret;
import io.prometheus.metrics.core.metrics.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work queue: a narrow row in {@code delivery_queue} for each pending delivery, apart from the
 * delivery's record in {@code deliveries}. A claim stamps a lease token and the lease's end ({@code
 * lease_until}) on the queue row: the delivery is passed over while its worker holds it, and is
 * claimable again by itself if the worker dies. An ended delivery's queue row is deleted. Claims
 * read the {@code delivery_queue_due} index and skip rows other workers have locked, so several
 * servers can share one database. The queue runs on connections of its own, whose statements are
 * all planned on indexes ({@link #INDEX_PLANS}).
 *
 * <p>One class of over 500 lines, for now: the queue's statements (claim, record, renew, release,
 * next due time) share session settings, the claimed row's shape and the record's decisions, and
 * their comments carry the measurements that shaped them. Splitting it into one named statement per
 * class, with the measurements moved to docs/performance.md, is the open part of the structure
 * issue.
 */
final class JooqDeliveryQueue implements DeliveryQueue {
  private static final String FAILED = DeliveryStatus.FAILED.name();
  static final String WEBHOOK_DISABLED = "webhook disabled";

  /**
   * Records a batch of attempts in one statement: every attempt is listed (a worker that lost its
   * lease may have made the same attempt as the new holder: kept once), and each success whose
   * delivery is still held under its lease token leaves the queue, ends the delivery and clears the
   * failure count of its webhook. Returns the succeeded deliveries that were held. Failures need a
   * decision per attempt and are recorded apart.
   */
  static final String RECORD_ATTEMPTS =
      """
      with outcome as (
        select * from unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::text[]::timestamptz[],
                             ?::text[]::timestamptz[], ?::bigint[], ?::int[], ?::text[], ?::text[],
                             ?::boolean[])
                 as v(id, lease_token, attempt_number, url, start_time, finish_time, duration_ms,
                      response_status_code, response_body, error, succeeded)
      ),
      listed as (
        insert into delivery_attempts (delivery_id, attempt_number, url, start_time, duration_ms,
                                       response_status_code, response_body, error, succeeded)
        select id, attempt_number, url, start_time, duration_ms, response_status_code,
               response_body, error, succeeded
          from outcome
        on conflict do nothing
      ),
      -- Each table is reached through "= any(array(...))", a condition on its primary key that
      -- no join order can drop: with statistics that call the table empty, the join alone was
      -- planned as a walk of the whole key index with the batch inside (6 s at 150,000 rows).
      held as (
        delete from delivery_queue q using outcome o
         where q.delivery_id = any(array(select id from outcome where succeeded))
           and o.succeeded and q.delivery_id = o.id and q.lease_token = o.lease_token
        returning o.*
      ),
      succeeded as (
        update deliveries d
           set attempt_count = h.attempt_number, last_attempt_time = h.start_time, url = h.url,
               status = 'SUCCEEDED', succeeded_time = h.finish_time, failure_reason = null
          from held h
         where d.id = any(array(select id from held)) and d.id = h.id
        returning d.id, d.webhook_id
      ),
      -- Unconditional rather than decided at claim time: a failure recorded meanwhile by another
      -- delivery to the same webhook must not survive this later success.
      healthy as (
        update webhooks w set consecutive_failed_deliveries = 0
         where w.id in (select webhook_id from succeeded) and w.consecutive_failed_deliveries <> 0
      )
      select id from succeeded
      """;

  /**
   * Extends the leases still held under their tokens to one new end. A dispatcher may hold several
   * hundred claims, so they travel as two arrays in one statement of fixed text rather than as a
   * condition per claim. Rows another transaction has locked are passed over: that is a record of
   * their attempt, about to end or release them. Waiting for it instead, the renewal and the record
   * each held rows the other wanted, in no fixed order, and PostgreSQL broke the deadlock by
   * failing one of them a second later. The queue is reached by key as in {@link #RECORD_ATTEMPTS}.
   */
  static final String RENEW_LEASES =
      """
      with held as (
        select * from unnest(?::uuid[], ?::uuid[]) as v(id, lease_token)
      ),
      renewable as (
        select q.delivery_id
          from delivery_queue q
          join held h on q.delivery_id = h.id and q.lease_token = h.lease_token
         where q.delivery_id = any(array(select id from held))
           for update of q skip locked
      )
      update delivery_queue q set lease_until = ?::text::timestamptz
        from renewable r
       where q.delivery_id = any(array(select delivery_id from renewable))
         and q.delivery_id = r.delivery_id
      """;

  /**
   * Connections the queue uses at most at once: the claim loop (which also asks for the next due
   * time), lease renewal, two record batches (a dispatcher records on two threads), and the queue's
   * statistics every few seconds.
   */
  static final int CONNECTIONS = 5;

  private static final Logger log = LoggerFactory.getLogger(JooqDeliveryQueue.class);

  private final Transactor transactor;
  private final JooqSigningSecretRepository secrets;
  private final Counter webhooksDisabled;
  private final OutcomeNotifications outcomes;

  JooqDeliveryQueue(
      Transactor transactor,
      JooqSigningSecretRepository secrets,
      Counter webhooksDisabled,
      OutcomeNotifications outcomes) {
    this.webhooksDisabled = requireNonNull(webhooksDisabled, "webhooksDisabled");
    this.outcomes = requireNonNull(outcomes, "outcomes");
    this.transactor = requireNonNull(transactor, "transactor");
    this.secrets = requireNonNull(secrets, "secrets");
  }

  /**
   * Leases the due deliveries and returns what an attempt needs; {@code %d} is the limit.
   *
   * <p>The due rows are picked by walking the index {@code delivery_queue_due} in its order,
   * locking their queue rows and skipping rows other workers hold; the index's size is the number
   * of pending deliveries, not the table's, and rows under an unexpired lease stay in it and are
   * passed over, a few per dispatcher. Saturated webhooks' rows are passed over too (the fifth
   * parameter; an empty array passes over nothing).
   *
   * <p>Its shape leaves the planner few choices, since the statistics it would choose by can be far
   * from the truth: a backlog can arrive within the minute before autoanalyze notices. The due rows
   * are picked once (an array sub-select), then leased by primary key, and only those are joined to
   * their deliveries and webhooks. Joined in one query instead, with statistics taken when the
   * table was small, PostgreSQL re-ran the due sub-select once per row of the table: 25 s for one
   * claim at 100,000 rows. Each claimed row looks its delivery up by key in a sub-query the planner
   * may not flatten ({@code offset 0}): joined freely, with statistics from a quiet moment (one
   * ended delivery), it reached the claimed deliveries through their webhook instead, every
   * delivery of the webhook on each claim. So shaped, the plan each connection keeps for it stays
   * on keys whatever the statistics were when it was made. The limit is written into the statement
   * rather than bound: with it unknown, a generic plan expects a tenth of the table.
   *
   * <p>Fixed text but for the limit, and run through JDBC: built with jOOQ's DSL for every claim,
   * rendering it took three quarters of the claim loop's CPU at 1,000 deliveries a second.
   */
  static final String CLAIM =
      """
      with leased as (
        update delivery_queue
           set lease_until = ?::text::timestamptz, lease_token = ?::uuid
         where delivery_id = any(array(
                 select delivery_id
                   from delivery_queue
                  where next_attempt_time <= ?::text::timestamptz
                    and (lease_until is null or lease_until <= ?::text::timestamptz)
                    and webhook_id <> all(?::uuid[])
                  order by next_attempt_time
                  limit %d
                    for update skip locked))
        returning delivery_id
      )
      select d.id, d.idempotency_key, d.webhook_id, d.project_id, w.url, d.payload, d.attempt_count,
             d.round_start, d.create_time, d.bot_id
        from leased l
        cross join lateral (
          select id, idempotency_key, webhook_id, project_id, payload, attempt_count, round_start,
                 create_time, bot_id
            from deliveries
           where id = l.delivery_id
          offset 0) d
        join webhooks w on w.id = d.webhook_id
      """;

  /** A claimed row, before its project's signing keys are added. */
  record ClaimedRow(
      UUID id,
      UUID idempotencyKey,
      UUID webhookId,
      String projectId,
      String url,
      String payload,
      int attemptsMade,
      int roundStart,
      Instant createTime,
      String botId) {}

  /** Runs {@link #CLAIM} on {@code connection}, in the caller's transaction. */
  static List<ClaimedRow> claim(
      Connection connection,
      int max,
      Instant now,
      Instant leaseUntil,
      UUID leaseToken,
      Set<UUID> busyWebhooks)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(CLAIM.formatted(max))) {
      statement.setString(1, leaseUntil.toString());
      statement.setObject(2, leaseToken);
      statement.setString(3, now.toString());
      statement.setString(4, now.toString());
      statement.setArray(5, connection.createArrayOf("uuid", busyWebhooks.toArray()));
      List<ClaimedRow> claimed = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          claimed.add(
              new ClaimedRow(
                  rows.getObject(1, UUID.class),
                  rows.getObject(2, UUID.class),
                  rows.getObject(3, UUID.class),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getString(6),
                  rows.getInt(7),
                  rows.getInt(8),
                  rows.getObject(9, OffsetDateTime.class).toInstant(),
                  rows.getString(10)));
        }
      }
      return claimed;
    }
  }

  /**
   * The planner settings of the queue's connections, applied once as each is opened: sorting and
   * sequential scans are ruled out, so that a claim walks the due index in its order and stops at
   * the limit, and every statement finds its rows by key, whether its plan is made on the facts of
   * the moment or kept from long ago. Without them, a backlog that arrived faster than autoanalyze
   * noticed made a claim fetch "all" due rows by bitmap and sort them (100,000 rows read and sorted
   * on disk for every claim), and a record planned while the tables were small read the whole table
   * for every batch. Set per transaction instead, the settings cost a round trip for each claim and
   * each record.
   *
   * <p>Plans are made without the parameters' values: with them, PostgreSQL planned a record anew
   * on every run (a custom plan knows the batch is a few rows, so a generic plan costed for a
   * hundred never looked cheaper), and that planning was half the queue's database time at 1,000
   * deliveries a second. A plan without values is safe here because it is on indexes.
   */
  static final String INDEX_PLANS =
      "set enable_sort = off; set enable_seqscan = off; set plan_cache_mode = force_generic_plan";

  @Override
  public List<ClaimedDelivery> claimDue(
      int max, Instant now, Instant leaseUntil, Set<UUID> busyWebhooks) {
    UUID leaseToken = UUID.randomUUID();
    // The claim is one statement and commits by itself, a round trip fewer than a transaction
    // around it and the keys. Should reading the keys then fail, the leases run out and the
    // deliveries are claimed again, as when a worker dies.
    return transactor.outsideTransaction(
        dsl -> {
          List<ClaimedRow> claimed =
              dsl.connectionResult(
                  connection -> claim(connection, max, now, leaseUntil, leaseToken, busyWebhooks));
          if (claimed.isEmpty()) {
            return List.<ClaimedDelivery>of();
          }
          Set<String> projects =
              claimed.stream().map(ClaimedRow::projectId).collect(Collectors.toSet());
          Map<String, List<byte[]>> keys = signingKeys(dsl, projects, now);
          return claimed.stream()
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
                          keys.getOrDefault(row.projectId(), List.of()),
                          row.createTime()))
              .toList();
        });
  }

  private Map<String, List<byte[]>> signingKeys(DSLContext dsl, Set<String> projects, Instant now) {
    Map<String, List<byte[]>> keys = new HashMap<>();
    secrets
        .signingAt(dsl, projects, now)
        .forEach(
            (project, secretsOfProject) ->
                keys.put(project, secretsOfProject.stream().map(SigningSecret::key).toList()));
    return keys;
  }

  @Override
  public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
    if (claims.isEmpty()) {
      return;
    }
    List<ClaimedDelivery> held = List.copyOf(claims);
    transactor.outsideTransaction(
        dsl ->
            dsl.connectionResult(
                connection -> {
                  try (PreparedStatement statement = connection.prepareStatement(RENEW_LEASES)) {
                    new SqlArrays<>(statement, held)
                        .add("uuid", ClaimedDelivery::id)
                        .add("uuid", ClaimedDelivery::leaseToken);
                    statement.setString(3, leaseUntil.toString());
                    return statement.executeUpdate();
                  }
                }));
  }

  /**
   * Lists every attempt and ends the successes in one statement, which needs no transaction of its
   * own; failures, each needing its own decision, join it in one.
   */
  @Override
  public List<Boolean> recordAttempts(List<AttemptOutcome> outcomes, EndpointHealthPolicy health) {
    if (outcomes.isEmpty()) {
      return List.of();
    }
    Function<DSLContext, Set<UUID>> write =
        dsl -> {
          Set<UUID> held = listAttemptsEndingSuccesses(dsl, outcomes);
          for (AttemptOutcome outcome : outcomes) {
            if (!succeeded(outcome) && recordFailure(dsl, outcome, health)) {
              held.add(outcome.claim().id());
            }
          }
          return held;
        };
    Set<UUID> held =
        outcomes.stream().allMatch(JooqDeliveryQueue::succeeded)
            ? transactor.outsideTransaction(write)
            : transactor.inTransaction(write);
    tellWatchers(
        outcomes.stream()
            .filter(o -> held.contains(o.claim().id()))
            .map(DeliveryOutcome::of)
            .toList());
    return outcomes.stream().map(o -> held.contains(o.claim().id())).toList();
  }

  /**
   * After the record: a watcher must never see an outcome that was not stored. Losing the
   * notification loses a line of a live tail, never a delivery, so a failure only warns.
   */
  private void tellWatchers(List<DeliveryOutcome> recorded) {
    try {
      transactor.outsideTransaction(
          dsl -> {
            outcomes.publish(dsl, recorded);
            return null;
          });
    } catch (RuntimeException e) {
      log.warn(
          "Could not notify watchers of {} recorded outcomes: {}", recorded.size(), e.getMessage());
    }
  }

  private static boolean succeeded(AttemptOutcome outcome) {
    return outcome.next() instanceof NextStep.Succeed;
  }

  private static Set<UUID> listAttemptsEndingSuccesses(
      DSLContext dsl, List<AttemptOutcome> outcomes) {
    Set<UUID> held = new HashSet<>();
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(RECORD_ATTEMPTS)) {
            new SqlArrays<>(statement, outcomes)
                .add("uuid", o -> o.claim().id())
                .add("uuid", o -> o.claim().leaseToken())
                .add("int", o -> o.attempt().attemptNumber())
                .add("text", o -> o.attempt().url())
                .addTimes(o -> o.attempt().startTime())
                .addTimes(o -> o.attempt().startTime().plus(o.attempt().duration()))
                .add("bigint", o -> o.attempt().duration().toMillis())
                .add("int", o -> o.attempt().responseStatusCode())
                .add("text", o -> o.attempt().responseBody())
                .add("text", o -> o.attempt().error())
                .add("boolean", o -> o.attempt().succeeded());
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                held.add(rows.getObject(1, UUID.class));
              }
            }
          }
        });
    return held;
  }

  /**
   * Applies the next step of an attempt that did not succeed, if the claim still holds the
   * delivery: due again at the retry's time, or out of the queue and ended. A delivery ended
   * meanwhile (its webhook was deleted) is no longer in the queue and stays as it was ended.
   */
  private boolean recordFailure(
      DSLContext dsl, AttemptOutcome outcome, EndpointHealthPolicy health) {
    ClaimedDelivery claim = outcome.claim();
    DeliveryAttempt attempt = outcome.attempt();
    Condition heldByClaim =
        DELIVERY_QUEUE
            .DELIVERY_ID
            .eq(claim.id())
            .and(DELIVERY_QUEUE.LEASE_TOKEN.eq(claim.leaseToken()));
    var attempted =
        dsl.update(DELIVERIES)
            .set(DELIVERIES.ATTEMPT_COUNT, attempt.attemptNumber())
            .set(DELIVERIES.LAST_ATTEMPT_TIME, Times.toDb(attempt.startTime()))
            .set(DELIVERIES.URL, attempt.url());
    if (outcome.next() instanceof NextStep.RetryAt retry) {
      boolean held =
          dsl.update(DELIVERY_QUEUE)
                  .set(DELIVERY_QUEUE.LEASE_TOKEN, (UUID) null)
                  .set(DELIVERY_QUEUE.LEASE_UNTIL, (OffsetDateTime) null)
                  .set(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME, Times.toDb(retry.time()))
                  .where(heldByClaim)
                  .execute()
              == 1;
      if (held) {
        attempted.where(DELIVERIES.ID.eq(claim.id())).execute();
      }
      return held;
    }
    if (dsl.deleteFrom(DELIVERY_QUEUE).where(heldByClaim).execute() == 0) {
      return false;
    }
    String disabledFor =
        outcome.next() instanceof NextStep.DisableWebhook disable ? disable.reason() : null;
    attempted
        .set(DELIVERIES.STATUS, FAILED)
        .set(DELIVERIES.FAILURE_REASON, disabledFor)
        .where(DELIVERIES.ID.eq(claim.id()))
        .execute();
    if (outcome.next() instanceof NextStep.DisableWebhook) {
      disableWebhook(dsl, claim.webhookId(), disabledFor, attempt.startTime(), "gone");
    } else {
      countFailure(dsl, claim.webhookId(), health, attempt.startTime());
    }
    return true;
  }

  private void countFailure(
      DSLContext dsl, UUID webhookId, EndpointHealthPolicy health, Instant at) {
    Integer failures =
        dsl.update(WEBHOOKS)
            .set(
                WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES,
                WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES.plus(1))
            .where(WEBHOOKS.ID.eq(webhookId))
            .returningResult(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES)
            .fetchOne(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES);
    if (failures != null) {
      health
          .disableReason(failures)
          .ifPresent(reason -> disableWebhook(dsl, webhookId, reason, at, "failures"));
    }
  }

  /**
   * @param kind the reason as the metric counts it: {@code gone} or {@code failures}
   */
  private void disableWebhook(
      DSLContext dsl, UUID webhookId, String reason, Instant at, String kind) {
    int disabled =
        dsl.update(WEBHOOKS)
            .set(WEBHOOKS.ACTIVE, false)
            .set(WEBHOOKS.DISABLED_REASON, reason)
            .set(WEBHOOKS.UPDATE_TIME, Times.toDb(at))
            .where(WEBHOOKS.ID.eq(webhookId), WEBHOOKS.ACTIVE.isTrue())
            .execute();
    if (disabled == 1) {
      JooqWebhookRepository.endPending(dsl, webhookId, WEBHOOK_DISABLED + " (" + reason + ")");
      webhooksDisabled.labelValues(kind).inc();
    }
  }

  @Override
  public void release(ClaimedDelivery claim) {
    transactor.outsideTransaction(
        dsl ->
            dsl.update(DELIVERY_QUEUE)
                .set(DELIVERY_QUEUE.LEASE_TOKEN, (UUID) null)
                .set(DELIVERY_QUEUE.LEASE_UNTIL, (OffsetDateTime) null)
                .set(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME, DSL.currentOffsetDateTime())
                .where(
                    DELIVERY_QUEUE.DELIVERY_ID.eq(claim.id()),
                    DELIVERY_QUEUE.LEASE_TOKEN.eq(claim.leaseToken()))
                .execute());
  }

  @Override
  public Optional<Instant> nextDueTime(Instant now) {
    return transactor.outsideTransaction(
        dsl ->
            Optional.ofNullable(
                    dsl.select(DSL.min(DELIVERY_QUEUE.NEXT_ATTEMPT_TIME))
                        .from(DELIVERY_QUEUE)
                        .where(unleased(now))
                        .fetchOne(0, OffsetDateTime.class))
                .map(Times::fromDb));
  }

  /**
   * Not held under a lease that is still running. A lease that ran out (its holder died) makes the
   * delivery claimable again.
   */
  private static Condition unleased(Instant now) {
    return DELIVERY_QUEUE.LEASE_UNTIL.isNull().or(DELIVERY_QUEUE.LEASE_UNTIL.le(Times.toDb(now)));
  }
}
