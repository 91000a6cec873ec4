package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.secret.SigningSecret;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Record8;
import org.jooq.Select;
import org.jooq.UpdateResultStep;
import org.jooq.impl.DSL;

/**
 * The deliveries table used as a work queue. A claim stamps a lease token and the lease's end
 * ({@code lease_until}): the row is passed over while its worker holds it, and is claimable again
 * by itself if the worker dies. Claims read the {@code deliveries_due} index and skip rows other
 * workers have locked, so several servers can share one database.
 */
final class JooqDeliveryQueue implements DeliveryQueue {
  private static final String PENDING = DeliveryStatus.PENDING.name();
  private static final String FAILED = DeliveryStatus.FAILED.name();
  static final String WEBHOOK_DISABLED = "webhook disabled";
  /**
   * Written into the statement, not bound: a generic plan, made without the parameters' values,
   * can use the partial index {@code deliveries_due} only if it sees the index's own predicate.
   */
  private static final Condition IS_PENDING = DELIVERIES.STATUS.eq(DSL.inline(PENDING));

  /**
   * Records succeeded attempts by the batch: ends each delivery still held under its lease token,
   * and clears the failure count of their webhooks, returning the deliveries that were held.
   */
  static final String RECORD_SUCCESSES =
      """
      with succeeded as (
        update deliveries d
           set lease_token = null, lease_until = null, attempt_count = v.attempt_number,
               last_attempt_time = v.start_time,
               url = v.url, status = 'SUCCEEDED', next_attempt_time = null,
               succeeded_time = v.finish_time, failure_reason = null
          from unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[]::timestamptz[], ?::text[],
                      ?::text[]::timestamptz[])
               as v(id, lease_token, attempt_number, start_time, url, finish_time)
         where d.id = v.id and d.lease_token = v.lease_token
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

  /** A worker that lost its lease may have made the same attempt as the new holder: kept once. */
  private static final String INSERT_ATTEMPTS =
      """
      insert into delivery_attempts (delivery_id, attempt_number, url, start_time, duration_ms,
                                     response_status_code, response_body, error, succeeded)
      select * from unnest(?::uuid[], ?::int[], ?::text[], ?::text[]::timestamptz[], ?::bigint[],
                           ?::int[], ?::text[], ?::text[], ?::boolean[])
      on conflict do nothing
      """;

  /**
   * Extends the leases still held under their tokens. A dispatcher holds up to several hundred
   * claims (those waiting for a slot among them), so they travel as two arrays in one statement of
   * fixed text rather than as a condition per claim.
   */
  private static final String RENEW_LEASES =
      """
      update deliveries d set lease_until = v.lease_until
        from unnest(?::uuid[], ?::uuid[], ?::text[]::timestamptz[]) as v(id, lease_token, lease_until)
       where d.id = v.id and d.lease_token = v.lease_token and d.status = 'PENDING'
      """;

  /** Attempts recorded in one transaction at most; more wait for the next. */
  static final int MAX_RECORD_BATCH = 64;

  private final Transactor transactor;
  private final JooqSigningSecretRepository secrets;
  private final GroupCommit<Outcome, Boolean> records;

  JooqDeliveryQueue(Transactor transactor, JooqSigningSecretRepository secrets) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.secrets = requireNonNull(secrets, "secrets");
    this.records = new GroupCommit<>(this::record, MAX_RECORD_BATCH, 2);
  }

  /** One attempt's result, to be recorded. */
  private record Outcome(
      ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next, EndpointHealthPolicy health) {
    boolean succeeded() {
      return next instanceof NextStep.Succeed;
    }
  }

  /**
   * The due deliveries a claim takes, earliest first, locking them and skipping rows other
   * workers hold. Reads the partial index {@code deliveries_due}, whose size is the number of
   * pending deliveries, not the table's; rows under an unexpired lease stay in it and are passed
   * over, a few per dispatcher.
   */
  static Select<Record1<UUID>> dueDeliveries(int max, Instant now, Set<UUID> busyWebhooks) {
    return DSL.select(DELIVERIES.ID)
        .from(DELIVERIES)
        .where(
            IS_PENDING,
            DELIVERIES.NEXT_ATTEMPT_TIME.le(Times.toDb(now)),
            unleased(now),
            notOf(busyWebhooks))
        .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME)
        .limit(DSL.inline(max))
        .forUpdate()
        .skipLocked();
  }

  /**
   * Leases the due deliveries and returns what an attempt needs.
   *
   * <p>Its shape leaves the planner few choices, since the statistics it would choose by can be
   * far from the truth: a backlog can arrive within the minute before autoanalyze notices. The
   * due rows are picked once, by walking the due index (an array sub-select), then updated by
   * primary key; the webhook's URL is looked up per row. Joined instead, with statistics taken
   * when the table was small, PostgreSQL re-ran the due sub-select once per row of the table:
   * 25 s for one claim at 100,000 rows. The limit is written into the statement rather than
   * bound: with it unknown, a generic plan expects a tenth of the table.
   */
  static UpdateResultStep<Record8<UUID, UUID, UUID, String, String, String, Integer, Integer>> claim(
      DSLContext dsl, int max, Instant now, Instant leaseUntil, UUID leaseToken, Set<UUID> busyWebhooks) {
    Field<String> webhookUrl =
        DSL.field(DSL.select(WEBHOOKS.URL).from(WEBHOOKS).where(WEBHOOKS.ID.eq(DELIVERIES.WEBHOOK_ID)));
    return dsl.update(DELIVERIES)
        .set(DELIVERIES.LEASE_UNTIL, Times.toDb(leaseUntil))
        .set(DELIVERIES.LEASE_TOKEN, leaseToken)
        .where(DELIVERIES.ID.eq(DSL.any(DSL.array(dueDeliveries(max, now, busyWebhooks)))))
        .returningResult(
            DELIVERIES.ID,
            DELIVERIES.IDEMPOTENCY_KEY,
            DELIVERIES.WEBHOOK_ID,
            DELIVERIES.PROJECT_ID,
            webhookUrl,
            DELIVERIES.PAYLOAD,
            DELIVERIES.ATTEMPT_COUNT,
            DELIVERIES.ROUND_START);
  }

  /**
   * Rules out sorting for the rest of the transaction, so that the claim walks the due index in
   * its order and stops at the limit. When a backlog arrives faster than autoanalyze notices,
   * the statistics promise a few due rows, and the planner would rather fetch "all of them" by
   * bitmap and sort: 100,000 rows read and sorted on disk for every claim.
   */
  static void readInDueOrder(DSLContext dsl) {
    dsl.execute("set local enable_sort = off");
  }

  /**
   * Rules out sequential scans for the rest of the transaction, so that a batch of attempts finds
   * its deliveries by primary key. The statement is prepared once per connection; planned while
   * the table was small, its plan read the whole table for every batch, a table that at a
   * thousand deliveries a second grows faster than autoanalyze revisits it.
   */
  static void findRowsByKey(DSLContext dsl) {
    dsl.execute("set local enable_seqscan = off");
  }

  @Override
  public List<ClaimedDelivery> claimDue(int max, Instant now, Instant leaseUntil, Set<UUID> busyWebhooks) {
    UUID leaseToken = UUID.randomUUID();
    return transactor.inTransaction(
        dsl -> {
          readInDueOrder(dsl);
          var claimed = claim(dsl, max, now, leaseUntil, leaseToken, busyWebhooks).fetch();
          if (claimed.isEmpty()) {
            return List.<ClaimedDelivery>of();
          }
          Set<String> projects = claimed.stream().map(r -> r.value4()).collect(Collectors.toSet());
          Map<String, List<byte[]>> keys = signingKeys(dsl, projects, now);
          return claimed.stream()
              .map(
                  r ->
                      new ClaimedDelivery(
                          r.value1(),
                          leaseToken,
                          r.value2(),
                          r.value3(),
                          r.value4(),
                          r.value5(),
                          r.value6(),
                          r.value7(),
                          r.value8(),
                          keys.getOrDefault(r.value4(), List.of())))
              .toList();
        });
  }

  private Map<String, List<byte[]>> signingKeys(DSLContext dsl, Set<String> projects, Instant now) {
    Map<String, List<byte[]>> keys = new HashMap<>();
    secrets.signingAt(dsl, projects, now)
        .forEach((project, secretsOfProject) ->
            keys.put(project, secretsOfProject.stream().map(SigningSecret::key).toList()));
    return keys;
  }

  @Override
  public void renew(Collection<ClaimedDelivery> claims, Instant leaseUntil) {
    if (claims.isEmpty()) {
      return;
    }
    List<ClaimedDelivery> held = List.copyOf(claims);
    transactor.inTransaction(
        dsl -> {
          findRowsByKey(dsl);
          return dsl.connectionResult(
              connection -> {
                try (PreparedStatement statement = connection.prepareStatement(RENEW_LEASES)) {
                  new SqlArrays<>(statement, held)
                      .add("uuid", ClaimedDelivery::id)
                      .add("uuid", ClaimedDelivery::leaseToken)
                      .addTimes(claim -> leaseUntil);
                  return statement.executeUpdate();
                }
              });
        });
  }


  /**
   * Records the attempt together with those other workers finish meanwhile, in one transaction:
   * on a busy dispatcher a commit carries many attempts.
   */
  @Override
  public boolean recordAttempt(
      ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next, EndpointHealthPolicy health) {
    return records.submit(new Outcome(claim, attempt, next, health));
  }

  /** Whether each delivery was still held, in the order given. */
  private List<Boolean> record(List<Outcome> outcomes) {
    return transactor.inTransaction(
        dsl -> {
          findRowsByKey(dsl);
          Set<UUID> held = recordSuccesses(dsl, outcomes.stream().filter(Outcome::succeeded).toList());
          for (Outcome outcome : outcomes) {
            if (!outcome.succeeded() && releaseLease(dsl, outcome.claim(), outcome.attempt())) {
              moveOn(dsl, outcome.claim(), outcome.attempt(), outcome.next(), outcome.health());
              held.add(outcome.claim().id());
            }
          }
          insertAttempts(dsl, outcomes);
          return outcomes.stream().map(o -> held.contains(o.claim().id())).toList();
        });
  }

  private static Set<UUID> recordSuccesses(DSLContext dsl, List<Outcome> successes) {
    Set<UUID> held = new HashSet<>();
    if (successes.isEmpty()) {
      return held;
    }
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(RECORD_SUCCESSES)) {
            new SqlArrays<>(statement, successes)
                .add("uuid", o -> o.claim().id())
                .add("uuid", o -> o.claim().leaseToken())
                .add("int", o -> o.attempt().attemptNumber())
                .addTimes(o -> o.attempt().startTime())
                .add("text", o -> o.attempt().url())
                .addTimes(o -> o.attempt().startTime().plus(o.attempt().duration()));
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                held.add(rows.getObject(1, UUID.class));
              }
            }
          }
        });
    return held;
  }

  private static void insertAttempts(DSLContext dsl, List<Outcome> outcomes) {
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(INSERT_ATTEMPTS)) {
            new SqlArrays<>(statement, outcomes)
                .add("uuid", o -> o.claim().id())
                .add("int", o -> o.attempt().attemptNumber())
                .add("text", o -> o.attempt().url())
                .addTimes(o -> o.attempt().startTime())
                .add("bigint", o -> o.attempt().duration().toMillis())
                .add("int", o -> o.attempt().responseStatusCode())
                .add("text", o -> o.attempt().responseBody())
                .add("text", o -> o.attempt().error())
                .add("boolean", o -> o.attempt().succeeded());
            statement.executeUpdate();
          }
        });
  }

  private static boolean releaseLease(DSLContext dsl, ClaimedDelivery claim, DeliveryAttempt attempt) {
    return dsl.update(DELIVERIES)
            .set(DELIVERIES.LEASE_TOKEN, (UUID) null)
            .set(DELIVERIES.LEASE_UNTIL, (OffsetDateTime) null)
            .set(DELIVERIES.ATTEMPT_COUNT, attempt.attemptNumber())
            .set(DELIVERIES.LAST_ATTEMPT_TIME, Times.toDb(attempt.startTime()))
            .set(DELIVERIES.URL, attempt.url())
            .where(DELIVERIES.ID.eq(claim.id()), DELIVERIES.LEASE_TOKEN.eq(claim.leaseToken()))
            .execute()
        == 1;
  }

  /**
   * Applies the next step of an attempt that did not succeed, while the delivery is still
   * pending: a delivery ended meanwhile (its webhook was deleted) stays ended. (A success ends it
   * whatever happened meanwhile; see {@link #RECORD_SUCCESSES}.)
   */
  private static void moveOn(
      DSLContext dsl, ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next, EndpointHealthPolicy health) {
    UUID id = claim.id();
    if (next instanceof NextStep.RetryAt retry) {
      dsl.update(DELIVERIES)
          .set(DELIVERIES.NEXT_ATTEMPT_TIME, Times.toDb(retry.time()))
          .where(DELIVERIES.ID.eq(id), IS_PENDING)
          .execute();
    } else if (next instanceof NextStep.DisableWebhook disable) {
      fail(dsl, id, disable.reason());
      disableWebhook(dsl, claim.webhookId(), disable.reason(), attempt.startTime());
    } else if (fail(dsl, id, null)) {
      countFailure(dsl, claim.webhookId(), health, attempt.startTime());
    }
  }

  private static boolean fail(DSLContext dsl, UUID id, String reason) {
    return dsl.update(DELIVERIES)
            .set(DELIVERIES.STATUS, FAILED)
            .set(DELIVERIES.NEXT_ATTEMPT_TIME, (OffsetDateTime) null)
            .set(DELIVERIES.FAILURE_REASON, reason)
            .where(DELIVERIES.ID.eq(id), IS_PENDING)
            .execute()
        == 1;
  }

  private static void countFailure(DSLContext dsl, UUID webhookId, EndpointHealthPolicy health, Instant at) {
    Integer failures =
        dsl.update(WEBHOOKS)
            .set(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES, WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES.plus(1))
            .where(WEBHOOKS.ID.eq(webhookId))
            .returningResult(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES)
            .fetchOne(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES);
    if (failures != null) {
      health.disableReason(failures).ifPresent(reason -> disableWebhook(dsl, webhookId, reason, at));
    }
  }

  private static void disableWebhook(DSLContext dsl, UUID webhookId, String reason, Instant at) {
    int disabled =
        dsl.update(WEBHOOKS)
            .set(WEBHOOKS.ACTIVE, false)
            .set(WEBHOOKS.DISABLED_REASON, reason)
            .set(WEBHOOKS.UPDATE_TIME, Times.toDb(at))
            .where(WEBHOOKS.ID.eq(webhookId), WEBHOOKS.ACTIVE.isTrue())
            .execute();
    if (disabled == 1) {
      JooqWebhookRepository.endPending(dsl, webhookId, WEBHOOK_DISABLED + " (" + reason + ")");
    }
  }

  @Override
  public void release(ClaimedDelivery claim) {
    transactor.outsideTransaction(
        dsl ->
            dsl.update(DELIVERIES)
                .set(DELIVERIES.LEASE_TOKEN, (UUID) null)
                .set(DELIVERIES.LEASE_UNTIL, (OffsetDateTime) null)
                .set(DELIVERIES.NEXT_ATTEMPT_TIME, DSL.currentOffsetDateTime())
                .where(
                    DELIVERIES.ID.eq(claim.id()),
                    DELIVERIES.LEASE_TOKEN.eq(claim.leaseToken()),
                    IS_PENDING)
                .execute());
  }

  @Override
  public Optional<Instant> nextDueTime(Instant now) {
    return transactor.outsideTransaction(
        dsl ->
            Optional.ofNullable(
                    dsl.select(DSL.min(DELIVERIES.NEXT_ATTEMPT_TIME))
                        .from(DELIVERIES)
                        .where(IS_PENDING, unleased(now))
                        .fetchOne(0, OffsetDateTime.class))
                .map(Times::fromDb));
  }

  /**
   * Not held under a lease that is still running. A lease that ran out (its holder died) makes
   * the delivery claimable again.
   */
  private static Condition unleased(Instant now) {
    return DELIVERIES.LEASE_UNTIL.isNull().or(DELIVERIES.LEASE_UNTIL.le(Times.toDb(now)));
  }

  private static Condition notOf(Set<UUID> webhooks) {
    return webhooks.isEmpty() ? DSL.noCondition() : DELIVERIES.WEBHOOK_ID.notIn(webhooks);
  }
}
