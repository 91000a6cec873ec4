package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERIES;
import static dev.herald.persistence.jooq.Tables.EVENTS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.UnavailableException;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.EventRepository;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.event.NewDelivery;
import dev.herald.domain.event.PayloadBuilder;
import dev.herald.domain.webhook.Webhook;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Events and the deliveries they make, written in batches: calls that arrive together share one
 * statement ({@link #INGEST}) and one commit, each answered once its own event is committed.
 *
 * <p>Past 250 lines as one class because the batch's plan (its fan-out on the kept webhooks,
 * planned again when they changed), its statement, its binding and the answers to each waiting
 * caller share the batch's shape; what is kept between batches is {@link FanOutCandidates}', and
 * what is handed to this server's dispatcher is {@link DirectLeases}'. The statement's text and its
 * binding, which change together, are the seam to split along next.
 */
final class PostgresEventRepository implements EventRepository {
  /** Events written in one statement at most; more wait for the next. */
  static final int MAX_BATCH = 64;

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
   * dropped), each delivery's row in the queue, and, if any delivery was left to the claims and
   * another server listens, an announcement (the last three). The deliveries to ordered webhooks
   * (the fourteenth parameter, in ingest order) join their bots' lines ({@link Lines}): each takes
   * the next number of the line, parked behind any delivery of its line already queued (looked up
   * line by line in {@code delivery_queue_lines}, on connections that rule out sequential scans:
   * {@link #INDEX_SCANS}), which it locks so that the end of that one waits for this commit and
   * sees the newcomer. A delivery to an endpoint paused as unreachable is parked too ({@link
   * Pauses}). The deliveries offered to this server's dispatcher (the next three: their ids, the
   * lease's end and its token; {@link DirectLeases}) are leased to it as they are queued, unless
   * parked. Returns a row per event written ({@code event}), per delivery leased ({@code leased},
   * with the generation of signing keys in this snapshot), or, if the generation of webhooks has
   * moved on, one {@code stale} row and nothing written.
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
        returning id, webhook_id, bot_id, create_time
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
                                    delivery_create_time, lease_until, lease_token)
        select n.id, n.webhook_id, n.next_attempt_time, n.bot_id, n.order_seq, n.create_time,
               case when t.taken then o.lease_until end, case when t.taken then o.lease_token end
          from (
            select m.id, m.webhook_id,
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
  static String ingest(Days before) {
    return INGEST.formatted(before.fromLiteral(), before.untilLiteral());
  }

  private final Transactor transactor;
  private final DeliveryAnnouncements announcements;
  private final DirectLeases direct;
  private final GroupCommit<Ingestion, IngestResult> commits;
  private final FanOutCandidates candidates = new FanOutCandidates();
  private final DayTexts ingestOfDays = new DayTexts(PostgresEventRepository::ingest);

  /**
   * How many times a batch is planned before giving up: each plan after the first follows a fresh
   * look at the webhooks, so only webhooks changing faster than a round trip use them up.
   */
  private static final int PLANS_AT_MOST = 5;

  /**
   * One batch written at a time. Two at once interleaved their ids in the history's keys (each
   * batch's ids are in order, the later batch's above the earlier's), and every page the earlier
   * batch split in the middle of the index stayed half full: at fan-out 100 the deliveries' key and
   * the queue's took about 20 bytes a delivery more each. Ingest held its rate with one (7,185
   * events/s at 64 in flight, 7,172 with two, in the same hour): callers arriving meanwhile make
   * the next batch larger.
   */
  private static final int BATCHES_AT_ONCE = 1;

  /** Connections the writer uses at most at once: one a batch. */
  static final int CONNECTIONS = BATCHES_AT_ONCE;

  /**
   * The planner settings of the writer's connections, applied once as each is opened: no sequential
   * scans, so that the look for an ordered line's earlier delivery in the queue, and for paused
   * webhooks, goes by index whatever the statistics said when the plan was made.
   */
  static final String INDEX_SCANS = "set enable_seqscan = off";

  /**
   * Events waiting for the writer at most; one more is refused as unavailable at once. Ingest calls
   * may run on the thread their request arrived on, past any bound of the call threads' queue, so
   * this bounds what a flood of calls holds in memory.
   */
  static final int WAITING_AT_MOST = 4096;

  /** A writer whose deliveries all wait for claims, as on a server that does not dispatch. */
  PostgresEventRepository(Transactor transactor, DeliveryAnnouncements announcements) {
    this(transactor, announcements, DirectLeases.NONE);
  }

  PostgresEventRepository(
      Transactor transactor, DeliveryAnnouncements announcements, DirectLeases direct) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.announcements = requireNonNull(announcements, "announcements");
    this.direct = requireNonNull(direct, "direct");
    this.commits =
        new GroupCommit<>(
            this::write,
            MAX_BATCH,
            BATCHES_AT_ONCE,
            WAITING_AT_MOST,
            () ->
                new UnavailableException(
                    "too many events are waiting to be written; try again shortly"),
            "herald-ingest-writer");
  }

  /**
   * An event to record, with its stored body made on the caller's thread: the one writer does only
   * what must be done in turn.
   */
  private record Ingestion(
      Event event,
      String bodyTemplate,
      byte[] packedBody,
      Function<List<Webhook>, List<NewDelivery>> fanOut) {
    Ingestion(Event event, Function<List<Webhook>, List<NewDelivery>> fanOut) {
      this(event, PayloadBuilder.template(event), fanOut);
    }

    private Ingestion(
        Event event, String bodyTemplate, Function<List<Webhook>, List<NewDelivery>> fanOut) {
      this(event, bodyTemplate, PackedBodies.pack(bodyTemplate), fanOut);
    }
  }

  /** A delivery planned for an event of the batch. */
  record Delivery(Event event, String bodyTemplate, NewDelivery delivery) {}

  /**
   * Records the event with the ingestions other callers make meanwhile, in one statement: under
   * load a commit carries many events, and the answer still comes only once this one's is made.
   */
  @Override
  public CompletableFuture<IngestResult> recordOnce(
      Event event, Function<List<Webhook>, List<NewDelivery>> fanOut) {
    return commits.submitAsync(new Ingestion(event, fanOut));
  }

  /**
   * Plans every event's deliveries before knowing which events are new, so that the batch is
   * written in one statement; an event already known (rare: a client's retry) wasted its plan. A
   * concurrent ingestion of the same event id waits in that statement for the first to commit. A
   * batch planned on webhooks that changed meanwhile is planned again on a fresh look at them.
   */
  private List<IngestResult> write(List<Ingestion> batch) {
    Answered answered =
        transactor.outsideTransaction(
            dsl -> {
              Written written =
                  dsl.connectionResult(connection -> planAndInsert(connection, batch));
              List<ClaimedDelivery> taken =
                  direct.claims(
                      dsl, written.offer(), written.leased(), written.signingGeneration());
              Map<Ingestion, List<UUID>> replayed =
                  firstIngestions(
                      dsl,
                      batch.stream()
                          .filter(i -> !written.inserted().contains(i.event().id()))
                          .toList());
              return new Answered(results(batch, written, replayed), written.offer(), taken);
            });
    // Committed: the statement commits by itself.
    direct.handOver(answered.taken(), answered.offer());
    return answered.results();
  }

  private static List<IngestResult> results(
      List<Ingestion> batch, Written written, Map<Ingestion, List<UUID>> replayed) {
    Set<UUID> leased =
        written.leased().stream().map(d -> d.delivery().id()).collect(Collectors.toSet());
    return batch.stream()
        .map(
            i -> {
              if (!written.inserted().contains(i.event().id())) {
                return new IngestResult(i.event().eventId(), replayed.get(i), true);
              }
              List<UUID> planned = written.plannedIds().get(i.event().id());
              return new IngestResult(
                  i.event().eventId(),
                  planned,
                  false,
                  planned.stream().anyMatch(id -> !leased.contains(id)));
            })
        .toList();
  }

  /**
   * The events a batch wrote, the deliveries planned for each event, and those of them the
   * statement leased to this server's dispatcher, with the generation of signing keys it read.
   */
  private record Written(
      Set<UUID> inserted,
      Map<UUID, List<UUID>> plannedIds,
      DirectLeases.Offer offer,
      List<Delivery> leased,
      long signingGeneration) {}

  /** What the callers are answered, and the claims handed to the dispatcher once committed. */
  private record Answered(
      List<IngestResult> results, DirectLeases.Offer offer, List<ClaimedDelivery> taken) {}

  private Written planAndInsert(Connection connection, List<Ingestion> batch) throws SQLException {
    List<String> projects = batch.stream().map(i -> i.event().projectId()).distinct().toList();
    List<String> bots = batch.stream().map(i -> i.event().botId()).distinct().toList();
    for (int tries = 1; ; tries++) {
      FanOutCandidates.Candidates candidates = this.candidates.of(connection, projects, bots);
      List<Delivery> planned = new ArrayList<>();
      Map<UUID, List<UUID>> plannedIds = new HashMap<>();
      for (Ingestion ingestion : batch) {
        Event event = ingestion.event();
        // The domain's fan-out picks each event's recipients among the batch's.
        List<NewDelivery> made = ingestion.fanOut().apply(candidates.webhooks());
        made.forEach(d -> planned.add(new Delivery(event, ingestion.bodyTemplate(), d)));
        plannedIds.put(event.id(), made.stream().map(NewDelivery::id).toList());
      }
      Optional<Written> written =
          insert(connection, batch, planned, plannedIds, candidates.generation());
      if (written.isPresent()) {
        return written.get();
      }
      this.candidates.forget();
      if (tries == PLANS_AT_MOST) {
        throw new UnavailableException(
            "webhooks kept changing while the events were written; try again");
      }
    }
  }

  /**
   * Runs {@link #INGEST}; returns what it wrote, or empty if the webhooks it was planned on are no
   * longer those of {@code generation}.
   */
  private Optional<Written> insert(
      Connection connection,
      List<Ingestion> batch,
      List<Delivery> deliveries,
      Map<UUID, List<UUID>> plannedIds,
      long generation)
      throws SQLException {
    List<Instant> times = batch.stream().map(i -> i.event().createTime()).toList();
    Days before = Days.before(Collections.min(times), Collections.max(times));
    try (PreparedStatement statement = connection.prepareStatement(ingestOfDays.of(before))) {
      statement.setLong(1, generation);
      int next =
          new SqlArrays<>(statement, batch, 2)
              .add(i -> i.event().id())
              .add(i -> i.event().projectId())
              .add(i -> i.event().eventId())
              .add(i -> i.event().botId())
              .add(i -> i.event().createTime())
              .addBytes(Ingestion::packedBody)
              .nextParameter();
      next =
          new SqlArrays<>(statement, deliveries, next)
              .add(d -> d.delivery().id())
              .add(d -> d.event().id())
              .add(d -> d.delivery().webhook().id())
              .add(d -> d.event().projectId())
              .add(d -> d.event().botId())
              .add(d -> d.event().createTime())
              .nextParameter();
      List<UUID> joiningLines =
          deliveries.stream()
              .filter(d -> d.delivery().webhook().controls().ordered())
              .map(d -> d.delivery().id())
              .toList();
      statement.setString(next, ArrayLiterals.of(joiningLines));
      DirectLeases.Offer offer = direct.offer(deliveries);
      statement.setString(next + 1, ArrayLiterals.of(offer.ids()));
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
      return Optional.of(
          new Written(
              inserted,
              plannedIds,
              offer,
              deliveries.stream().filter(d -> leased.contains(d.delivery().id())).toList(),
              signingGeneration));
    }
  }

  /**
   * The deliveries each replayed event got when it was first ingested, oldest first. The event is
   * looked for in every partition's index of event ids: a replay is rare, and the first ingestion
   * may be in any day of the partition that refused the replay. Its deliveries share its project,
   * bot and creation time, which {@code deliveries_by_bot} probes.
   */
  private static Map<Ingestion, List<UUID>> firstIngestions(
      DSLContext dsl, List<Ingestion> replays) {
    Map<Ingestion, List<UUID>> ids = new HashMap<>();
    if (replays.isEmpty()) {
      return ids;
    }
    var keys =
        replays.stream().map(i -> DSL.row(i.event().projectId(), i.event().eventId())).toList();
    Map<List<String>, List<UUID>> byKey = new HashMap<>();
    dsl.select(EVENTS.PROJECT_ID, EVENTS.EVENT_ID, DELIVERIES.ID)
        .from(DELIVERIES)
        .join(EVENTS)
        .on(
            DELIVERIES.PROJECT_ID.eq(EVENTS.PROJECT_ID),
            DELIVERIES.BOT_ID.eq(EVENTS.BOT_ID),
            DELIVERIES.CREATE_TIME.eq(EVENTS.CREATE_TIME),
            DELIVERIES.EVENT_ID.eq(EVENTS.ID))
        .where(DSL.row(EVENTS.PROJECT_ID, EVENTS.EVENT_ID).in(keys))
        .orderBy(DELIVERIES.CREATE_TIME, DELIVERIES.ID)
        .forEach(
            r ->
                byKey
                    .computeIfAbsent(List.of(r.value1(), r.value2()), k -> new ArrayList<>())
                    .add(r.value3()));
    for (Ingestion replay : replays) {
      ids.put(
          replay,
          byKey.getOrDefault(
              List.of(replay.event().projectId(), replay.event().eventId()), List.of()));
    }
    return ids;
  }
}
