package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.DELIVERY_QUEUE;
import static dev.herald.persistence.jooq.Tables.WEBHOOKS;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * Stores attempts and moves their deliveries on, if their claims still hold them. Successes, the
 * common case, are recorded for a whole batch in one statement, and so are the batch's retries; a
 * failure that ends its delivery, rare, is written with jOOQ.
 */
final class AttemptRecords {
  private AttemptRecords() {}

  /**
   * Hand-written to record a batch in one statement of fixed text: every attempt is listed, and
   * each success still held under its lease token leaves the queue, which ends its delivery (its
   * row is not written: V20), and clears its webhook's failure count. Returns the succeeded
   * deliveries that were held. The queue is reached by key through {@code = any(...)} of the
   * successes' ids, and each row's lease token is looked up by its id's place in that array: joined
   * to the outcomes instead, each queue row scanned them all (docs/performance.md, "The record").
   * An attempt names its URL by number ({@link AttemptUrls}).
   *
   * <p>The attempts are inserted plainly, so the statement fails on an attempt listed already
   * ({@link RecordBatch}), and the batch is written again by {@link
   * #RECORD_ATTEMPTS_KEEPING_THE_FIRST}. Inserted {@code on conflict do nothing} every time, each
   * attempt looked its key up before inserting it and confirmed the insert in the write-ahead log:
   * a third of the record's page reads and a quarter of its log records, for a case that comes only
   * when a lease was lost (docs/performance.md, "The record").
   */
  static final String RECORD_ATTEMPTS = recordAttempts("");

  /**
   * {@link #RECORD_ATTEMPTS} keeping the first of an attempt listed twice: a worker that lost its
   * lease may have made the same attempt as the new holder, and a batch whose commit went
   * unanswered may be written again.
   */
  static final String RECORD_ATTEMPTS_KEEPING_THE_FIRST = recordAttempts("on conflict do nothing");

  private static String recordAttempts(String onConflict) {
    return """
      with outcome as (
        select * from unnest(?::uuid[], ?::timestamptz[], ?::uuid[], ?::int[], ?::int[],
                             ?::timestamptz[], ?::bigint[], ?::int[], ?::text[], ?::text[],
                             ?::boolean[])
                 as v(id, create_time, lease_token, attempt_number, url_id, start_time,
                      duration_ms, response_status_code, response_body, error, succeeded)
      ),
      listed as (
        insert into delivery_attempts (delivery_id, attempt_number, url, url_id, start_time,
                                       duration_ms, response_status_code, response_body, error,
                                       succeeded, delivery_create_time)
        select id, attempt_number, '', url_id, start_time, duration_ms, response_status_code,
               response_body, error, succeeded, create_time
          from outcome
        %s
      ),
      successes as (
        select array_agg(id) as ids, array_agg(lease_token) as tokens
          from outcome where succeeded
      ),
      held as (
        delete from delivery_queue q
         where q.delivery_id = any((select ids from successes)::uuid[])
           and q.lease_token = any(array(
                 select s.tokens[i]
                   from successes s, unnest(array_positions(s.ids, q.delivery_id)) as i))
        returning q.delivery_id, q.webhook_id
      ),
      -- Unconditional rather than decided at claim time: a failure recorded meanwhile by another
      -- delivery to the same webhook must not survive this later success.
      healthy as (
        update webhooks w set consecutive_failed_deliveries = 0
         where w.id in (select webhook_id from held) and w.consecutive_failed_deliveries <> 0
      )
      select delivery_id from held
      """
        .formatted(onConflict);
  }

  /**
   * The claimed delivery's row: its id and creation time, which name its partition, and its
   * webhook, which makes {@code deliveries_by_webhook} a probe of the same row. A plan made while
   * the day's partition was empty may pick that index, as reading it whole then costs no more than
   * a probe; with its leading column bound it stays a probe as the day fills.
   */
  static Condition deliveryOf(ClaimedDelivery claim) {
    return deliveryOf(claim.id(), claim.createTime(), claim.webhookId());
  }

  static Condition deliveryOf(UUID id, Instant createTime, UUID webhookId) {
    return CreationTimes.delivery(id, createTime).and(DELIVERIES.WEBHOOK_ID.eq(webhookId));
  }

  /**
   * Runs {@code record} ({@link #RECORD_ATTEMPTS} or {@link #RECORD_ATTEMPTS_KEEPING_THE_FIRST}),
   * each attempt's URL named by its number in {@code urlNumbers}; returns the ids of the succeeded
   * deliveries that were held.
   */
  static Set<UUID> listAttemptsEndingSuccesses(
      DSLContext dsl,
      String record,
      List<AttemptOutcome> outcomes,
      Map<String, Integer> urlNumbers) {
    Set<UUID> held = new HashSet<>();
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(record)) {
            new SqlArrays<>(statement, outcomes)
                .addIds(o -> o.claim().id())
                .add(o -> o.claim().createTime())
                .addIds(o -> o.claim().leaseToken())
                .add(o -> o.attempt().attemptNumber())
                .add(o -> urlNumbers.get(o.attempt().url()))
                .add(o -> o.attempt().startTime())
                .add(o -> o.attempt().duration().toMillis())
                .add(o -> o.attempt().responseStatusCode())
                .add(o -> o.attempt().responseBody())
                .add(o -> o.attempt().error())
                .add(o -> o.attempt().succeeded());
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
   * Hand-written to apply a batch's retries in one statement of fixed text: each delivery still
   * held under its lease token is due again at its retry's time, its queue row counting the
   * attempt; a retry of a paused endpoint's delivery (an attempt that went before the pause, or a
   * probe) waits parked with the rest of its backlog ({@link Pauses}), so that the pause need not
   * be made again to park it. Returns each held delivery and whether it waits parked. One statement
   * a retry was a round trip each on the recorder's thread: an endpoint failing at 2,000 deliveries
   * a second held every webhook's records back behind its own. As in {@link #RECORD_ATTEMPTS}, a
   * row's retry is found by its id's place in the batch, not by a join to the batch.
   */
  static final String RECORD_RETRIES =
      """
      with retry as (
        select ?::uuid[] as ids, ?::uuid[] as tokens, ?::int[] as attempt_numbers,
               ?::timestamptz[] as retry_ats
      )
      update delivery_queue q
         set lease_token = null, lease_until = null,
             (attempts_made, next_attempt_time) = (
               select r.attempt_numbers[i], %s
                 from retry r, unnest(array_positions(r.ids, q.delivery_id)) as i
                where r.tokens[i] = q.lease_token
                limit 1)
       where q.delivery_id = any((select ids from retry)::uuid[])
         and q.lease_token = any(array(
               select r.tokens[i]
                 from retry r, unnest(array_positions(r.ids, q.delivery_id)) as i))
      returning q.delivery_id, q.next_attempt_time = 'infinity'::timestamptz
      """
          .formatted(Pauses.parkedIfPaused("r.retry_ats[i]"));

  /** Runs {@link #RECORD_RETRIES} for outcomes whose next step is a retry. */
  static Map<UUID, RecordedOutcome> recordRetries(DSLContext dsl, List<AttemptOutcome> retries) {
    Map<UUID, RecordedOutcome> recorded = new HashMap<>();
    if (retries.isEmpty()) {
      return recorded;
    }
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(RECORD_RETRIES)) {
            new SqlArrays<>(statement, retries)
                .addIds(o -> o.claim().id())
                .addIds(o -> o.claim().leaseToken())
                .add(o -> o.attempt().attemptNumber())
                .add(o -> ((NextStep.RetryAt) o.next()).time());
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                recorded.put(
                    rows.getObject(1, UUID.class),
                    rows.getBoolean(2) ? RecordedOutcome.PARKED : RecordedOutcome.HELD);
              }
            }
          }
        });
    return recorded;
  }

  /**
   * Ends the delivery of an attempt that did not succeed and will not be retried, if the claim
   * still holds it: out of the queue and ended FAILED, the one write to its row after it was made,
   * which counts against its webhook. A delivery ended meanwhile (its webhook was deleted) is no
   * longer in the queue and stays as it was ended.
   */
  static RecordedOutcome recordEnd(DSLContext dsl, AttemptOutcome outcome) {
    ClaimedDelivery claim = outcome.claim();
    Condition heldByClaim =
        DELIVERY_QUEUE
            .DELIVERY_ID
            .eq(claim.id())
            .and(DELIVERY_QUEUE.LEASE_TOKEN.eq(claim.leaseToken()));
    if (dsl.deleteFrom(DELIVERY_QUEUE).where(heldByClaim).execute() == 0) {
      return RecordedOutcome.LOST;
    }
    String webhookGone =
        outcome.next() instanceof NextStep.DisableWebhook gone ? gone.reason() : null;
    dsl.update(DELIVERIES)
        .set(DELIVERIES.STATUS, DeliveryStatus.FAILED.name())
        .set(DELIVERIES.FAILURE_REASON, webhookGone)
        .where(deliveryOf(claim))
        .execute();
    Integer failuresInARow =
        dsl.update(WEBHOOKS)
            .set(
                WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES,
                WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES.plus(1))
            .where(WEBHOOKS.ID.eq(claim.webhookId()))
            .returningResult(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES)
            .fetchOne(WEBHOOKS.CONSECUTIVE_FAILED_DELIVERIES);
    return new RecordedOutcome(true, failuresInARow == null ? 0 : failuresInARow);
  }
}
