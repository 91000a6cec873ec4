package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.secret.SigningSecret;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The deliveries table used as a work queue. A claim moves {@code next_attempt_time} to the end
 * of the lease and stamps a lease token: the row stops being due while its worker holds it, and
 * is due again by itself if the worker dies. Claims read the {@code deliveries_due} index and
 * skip rows other workers have locked, so several servers can share one database.
 */
final class JooqDeliveryQueue implements DeliveryQueue {
  private static final String PENDING = DeliveryStatus.PENDING.name();

  private final Transactor transactor;
  private final JooqSigningSecretRepository secrets;

  JooqDeliveryQueue(Transactor transactor, JooqSigningSecretRepository secrets) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.secrets = requireNonNull(secrets, "secrets");
  }

  @Override
  public List<ClaimedDelivery> claimDue(int max, Instant now, Instant leaseUntil) {
    UUID leaseToken = UUID.randomUUID();
    Table<?> due =
        DSL.select(DELIVERIES.ID)
            .from(DELIVERIES)
            .where(DELIVERIES.STATUS.eq(PENDING), DELIVERIES.NEXT_ATTEMPT_TIME.le(Times.toDb(now)))
            .orderBy(DELIVERIES.NEXT_ATTEMPT_TIME)
            .limit(max)
            .forUpdate()
            .skipLocked()
            .asTable("due");
    Field<UUID> dueId = due.field(DELIVERIES.ID);
    return transactor.inTransaction(
        dsl -> {
          var claimed =
              dsl.update(DELIVERIES)
                  .set(DELIVERIES.NEXT_ATTEMPT_TIME, Times.toDb(leaseUntil))
                  .set(DELIVERIES.LEASE_TOKEN, leaseToken)
                  .from(due, WEBHOOKS)
                  .where(DELIVERIES.ID.eq(dueId), WEBHOOKS.ID.eq(DELIVERIES.WEBHOOK_ID))
                  .returningResult(
                      DELIVERIES.ID,
                      DELIVERIES.IDEMPOTENCY_KEY,
                      DELIVERIES.WEBHOOK_ID,
                      DELIVERIES.PROJECT_ID,
                      WEBHOOKS.URL,
                      DELIVERIES.PAYLOAD,
                      DELIVERIES.ATTEMPT_COUNT)
                  .fetch();
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
  public boolean recordAttempt(ClaimedDelivery claim, DeliveryAttempt attempt, NextStep next) {
    return transactor.inTransaction(
        dsl -> {
          boolean held = releaseLease(dsl, claim, attempt);
          if (held) {
            moveOn(dsl, claim.id(), attempt, next);
          }
          insertAttempt(dsl, claim.id(), attempt);
          return held;
        });
  }

  private static boolean releaseLease(DSLContext dsl, ClaimedDelivery claim, DeliveryAttempt attempt) {
    return dsl.update(DELIVERIES)
            .set(DELIVERIES.LEASE_TOKEN, (UUID) null)
            .set(DELIVERIES.ATTEMPT_COUNT, attempt.attemptNumber())
            .set(DELIVERIES.LAST_ATTEMPT_TIME, Times.toDb(attempt.startTime()))
            .set(DELIVERIES.URL, attempt.url())
            .where(DELIVERIES.ID.eq(claim.id()), DELIVERIES.LEASE_TOKEN.eq(claim.leaseToken()))
            .execute()
        == 1;
  }

  /**
   * Applies the next step while the delivery is still pending. A delivery ended meanwhile (its
   * webhook was deleted) stays ended, unless this very attempt succeeded.
   */
  private static void moveOn(DSLContext dsl, UUID id, DeliveryAttempt attempt, NextStep next) {
    var update = dsl.update(DELIVERIES);
    if (next instanceof NextStep.Succeed) {
      update
          .set(DELIVERIES.STATUS, DeliveryStatus.SUCCEEDED.name())
          .set(DELIVERIES.NEXT_ATTEMPT_TIME, (OffsetDateTime) null)
          .set(DELIVERIES.SUCCEEDED_TIME, Times.toDb(attempt.startTime().plus(attempt.duration())))
          .set(DELIVERIES.FAILURE_REASON, (String) null)
          .where(DELIVERIES.ID.eq(id))
          .execute();
    } else if (next instanceof NextStep.RetryAt retry) {
      update
          .set(DELIVERIES.NEXT_ATTEMPT_TIME, Times.toDb(retry.time()))
          .where(DELIVERIES.ID.eq(id), DELIVERIES.STATUS.eq(PENDING))
          .execute();
    } else {
      update
          .set(DELIVERIES.STATUS, DeliveryStatus.FAILED.name())
          .set(DELIVERIES.NEXT_ATTEMPT_TIME, (OffsetDateTime) null)
          .where(DELIVERIES.ID.eq(id), DELIVERIES.STATUS.eq(PENDING))
          .execute();
    }
  }

  private static void insertAttempt(DSLContext dsl, UUID deliveryId, DeliveryAttempt attempt) {
    dsl.insertInto(DELIVERY_ATTEMPTS)
        .set(DELIVERY_ATTEMPTS.DELIVERY_ID, deliveryId)
        .set(DELIVERY_ATTEMPTS.ATTEMPT_NUMBER, attempt.attemptNumber())
        .set(DELIVERY_ATTEMPTS.URL, attempt.url())
        .set(DELIVERY_ATTEMPTS.START_TIME, Times.toDb(attempt.startTime()))
        .set(DELIVERY_ATTEMPTS.DURATION_MS, attempt.duration().toMillis())
        .set(DELIVERY_ATTEMPTS.RESPONSE_STATUS_CODE, attempt.responseStatusCode())
        .set(DELIVERY_ATTEMPTS.RESPONSE_BODY, attempt.responseBody())
        .set(DELIVERY_ATTEMPTS.ERROR, attempt.error())
        .set(DELIVERY_ATTEMPTS.SUCCEEDED, attempt.succeeded())
        // A worker that lost its lease may have made the same attempt as the new holder.
        .onConflictDoNothing()
        .execute();
  }

  @Override
  public void release(ClaimedDelivery claim) {
    transactor.outsideTransaction(
        dsl ->
            dsl.update(DELIVERIES)
                .set(DELIVERIES.LEASE_TOKEN, (UUID) null)
                .set(DELIVERIES.NEXT_ATTEMPT_TIME, DSL.currentOffsetDateTime())
                .where(
                    DELIVERIES.ID.eq(claim.id()),
                    DELIVERIES.LEASE_TOKEN.eq(claim.leaseToken()),
                    DELIVERIES.STATUS.eq(PENDING))
                .execute());
  }

  @Override
  public Optional<Instant> nextDueTime() {
    return transactor.outsideTransaction(
        dsl ->
            Optional.ofNullable(
                    dsl.select(DSL.min(DELIVERIES.NEXT_ATTEMPT_TIME))
                        .from(DELIVERIES)
                        .where(DELIVERIES.STATUS.eq(PENDING))
                        .fetchOne(0, OffsetDateTime.class))
                .map(Times::fromDb));
  }
}
