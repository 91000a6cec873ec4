package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The one statement that writes an ingest batch ({@link #INGEST}): its text for the batch's days,
 * the binding of the batch to its parameters, and what its rows say it wrote. The text and the
 * binding change together; what the batch is and who waits for it are {@link
 * PostgresEventRepository}'s.
 */
final class IngestStatement {
  /**
   * Hand-written to write a whole batch in one statement and one round trip, if the webhooks it was
   * planned on are still those of its generation of them (the first parameter; {@link
   * FanOutCandidates}): the events not known yet (the next six parameters, the last the body of its
   * deliveries with a placeholder key; an event id is known if its partition holds it, or an
   * earlier partition within a day before, looked up event by event: {@code offset 0} keeps the
   * look-up a sub-plan probing an index, where joined it read every partition whole whenever the
   * statistics called them small; the batch's {@link Days#before} its days, {@code %1$s} and {@code
   * %2$s}, written in, leave the other days' partitions out of the plan), the deliveries planned
   * for them (the next six, each its own idempotency key; those of an event already known are
   * dropped), each delivery's row in the queue (naming its event, which a claim reads instead of
   * the delivery: V26), and, if any delivery was left to the claims and another server listens, an
   * announcement (the last three). The deliveries to ordered webhooks (the fourteenth parameter, in
   * ingest order) join their bots' lines ({@link Lines}): each takes the next number of the line,
   * parked behind any delivery of its line already queued (looked up line by line in {@code
   * delivery_queue_lines}, on connections that rule out sequential scans: {@link
   * PostgresEventRepository#INDEX_SCANS}), which it locks so that the end of that one waits for
   * this commit and sees the newcomer. A delivery to an endpoint paused as unreachable is parked
   * too ({@link Pauses}). The deliveries offered to this server's dispatcher (the next three: their
   * ids, the lease's end and its token; {@link DirectLeases}) are leased to it as they are queued,
   * unless parked. Returns a row per event written ({@code event}), per delivery leased ({@code
   * leased}, with the generation of signing keys in this snapshot), or, if the generation of
   * webhooks has moved on, one {@code stale} row and nothing written.
   */
  static final String INGEST =
      """
      with planned as (
        select generation = ?::bigint as on_current_webhooks
          from generations where subject = 'webhooks'
      ),
      event as (
        insert into events (id, project_id, event_id, bot_id, create_time, packed_body)
        select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[],
                             ?::bytea[])
               as v(id, project_id, event_id, bot_id, create_time, packed_body)
         where not exists (
                 select 1 from events seen
                  where seen.project_id = v.project_id and seen.event_id = v.event_id
                    and seen.create_time >= v.create_time - interval '1 day'
                    and seen.create_time < date_trunc('day', v.create_time, 'UTC')
                    and seen.create_time >= %1$s and seen.create_time < %2$s
                 offset 0)
           and (select on_current_webhooks from planned)
        on conflict do nothing
        returning id
      ),
      made as (
        insert into deliveries (id, event_id, webhook_id, project_id, bot_id, create_time)
        select id, event_id, webhook_id, project_id, bot_id, create_time
          from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::timestamptz[])
               as v(id, event_id, webhook_id, project_id, bot_id, create_time)
         where event_id in (select id from event)
        returning id, event_id, webhook_id, bot_id, create_time
      ),
      joining as (
        select m.id, m.webhook_id, m.bot_id, nextval('delivery_order_seq') as order_seq
          from made m
          join unnest(?::uuid[]) with ordinality as j(id, n) on j.id = m.id
         order by j.n
      ),
      ahead as (
        select l.webhook_id, l.bot_id
          from (select distinct webhook_id, bot_id from joining) l
          cross join lateral (
            select 1
              from delivery_queue q
             where q.webhook_id = l.webhook_id and q.bot_id = l.bot_id
               and q.order_seq is not null
               for key share of q) line
      ),
      offered as (
        select ?::uuid[] as ids, ?::timestamptz as lease_until, ?::uuid as lease_token
      ),
      queued as (
        insert into delivery_queue (delivery_id, webhook_id, next_attempt_time, bot_id, order_seq,
                                    delivery_create_time, lease_until, lease_token, event_id)
        select n.id, n.webhook_id, n.next_attempt_time, n.bot_id, n.order_seq, n.create_time,
               case when t.taken then o.lease_until end, case when t.taken then o.lease_token end,
               n.event_id
          from (
            select m.id, m.event_id, m.webhook_id,
                   case when m.webhook_id in (
                               select id from webhooks
                                where next_probe_time is not null and unreachable_since is not null)
                        then 'infinity'::timestamptz
                        when j.order_seq is not null
                         and (exists (select 1 from ahead a
                                       where a.webhook_id = j.webhook_id and a.bot_id = j.bot_id)
                              or exists (select 1 from joining e
                                          where e.webhook_id = j.webhook_id and e.bot_id = j.bot_id
                                            and e.order_seq < j.order_seq))
                        then 'infinity'::timestamptz
                        else m.create_time end as next_attempt_time,
                   j.bot_id, j.order_seq, m.create_time
              from made m
              left join joining j on j.id = m.id) n
          cross join offered o
          cross join lateral (
            select n.next_attempt_time <> 'infinity' and n.id = any(o.ids) as taken) t
        returning delivery_id, lease_token is not null as leased
      )
      select 'event', id,
             (select count(*)
                from (select pg_notify(?, ?) from queued where ? and not leased limit 1) announced)
        from event
      union all
      select 'leased', delivery_id, (select generation from generations where subject = 'signing')
        from queued where leased
      union all
      select 'stale', null, 0 from planned where not on_current_webhooks
      """;

  /** {@link #INGEST} for a batch whose look-up of known event ids reads {@code before}. */
  static String text(Days before) {
    return INGEST.formatted(before.fromLiteral(), before.untilLiteral());
  }

  private final DeliveryAnnouncements announcements;
  private final DayTexts texts = new DayTexts(IngestStatement::text);

  IngestStatement(DeliveryAnnouncements announcements) {
    this.announcements = requireNonNull(announcements, "announcements");
  }

  /**
   * What a run wrote: the events not known before, the deliveries it leased to this server, and the
   * generation of signing keys its snapshot held.
   */
  record Outcome(Set<UUID> inserted, Set<UUID> leased, long signingGeneration) {}

  /**
   * Runs {@link #INGEST} for {@code batch} and the {@code deliveries} planned for it on the
   * webhooks of {@code generation}, leasing {@code offer}'s to this server; empty, with nothing
   * written, if the webhooks are no longer those of that generation.
   */
  Optional<Outcome> run(
      Connection connection,
      List<Ingestion> batch,
      List<PlannedDelivery> deliveries,
      long generation,
      DirectLeases.Offer offer)
      throws SQLException {
    List<Instant> times = batch.stream().map(i -> i.event().createTime()).toList();
    Days before = Days.before(Collections.min(times), Collections.max(times));
    try (PreparedStatement statement = connection.prepareStatement(texts.of(before))) {
      statement.setLong(1, generation);
      int next =
          new SqlArrays<>(statement, batch, 2)
              .addIds(i -> i.event().id())
              .add(i -> i.event().projectId())
              .add(i -> i.event().eventId())
              .add(i -> i.event().botId())
              .add(i -> i.event().createTime())
              .addBytes(Ingestion::packedBody)
              .nextParameter();
      next =
          new SqlArrays<>(statement, deliveries, next)
              .addIds(d -> d.delivery().id())
              .addIds(d -> d.event().id())
              .addIds(d -> d.delivery().webhook().id())
              .add(d -> d.event().projectId())
              .add(d -> d.event().botId())
              .add(d -> d.event().createTime())
              .nextParameter();
      List<UUID> joiningLines =
          deliveries.stream()
              .filter(d -> d.delivery().webhook().controls().ordered())
              .map(d -> d.delivery().id())
              .toList();
      statement.setObject(next, new UuidArray(joiningLines));
      statement.setObject(next + 1, new UuidArray(offer.ids()));
      statement.setObject(
          next + 2, offer.leaseUntil() == null ? null : Times.toDb(offer.leaseUntil()));
      statement.setObject(next + 3, offer.token());
      statement.setString(next + 4, DeliveryAnnouncements.CHANNEL);
      statement.setString(next + 5, announcements.origin());
      statement.setBoolean(next + 6, announcements.heard(connection));
      Set<UUID> inserted = new HashSet<>();
      Set<UUID> leased = new HashSet<>();
      long signingGeneration = -1;
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          switch (rows.getString(1)) {
            case "event" -> inserted.add(rows.getObject(2, UUID.class));
            case "leased" -> {
              leased.add(rows.getObject(2, UUID.class));
              signingGeneration = rows.getLong(3);
            }
            default -> {
              return Optional.empty();
            }
          }
        }
      }
      return Optional.of(new Outcome(inserted, leased, signingGeneration));
    }
  }
}
