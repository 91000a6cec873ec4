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
import dev.herald.domain.webhook.Webhook;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Events and the deliveries they make, written in batches: calls that arrive together share one
 * statement ({@link IngestStatement}) and one commit, each answered once its own event is
 * committed. Here: the batch's plan (its fan-out on the kept webhooks of {@link FanOutCandidates},
 * planned again when they changed), the offer to this server's dispatcher ({@link DirectLeases}),
 * and the answer to each waiting caller.
 */
final class PostgresEventRepository implements EventRepository {
  /** Events written in one statement at most; more wait for the next. */
  static final int MAX_BATCH = 64;

  private final Transactor transactor;
  private final IngestStatement statement;
  private final DirectLeases direct;
  private final GroupCommit<Ingestion, IngestResult> commits;
  private final FanOutCandidates candidates = new FanOutCandidates();

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
    this.statement = new IngestStatement(announcements);
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
                      dsl,
                      written.offer(),
                      written.leased(),
                      written.outcome().signingGeneration());
              Map<Ingestion, List<UUID>> replayed =
                  firstIngestions(
                      dsl,
                      batch.stream()
                          .filter(i -> !written.outcome().inserted().contains(i.event().id()))
                          .toList());
              return new Answered(results(batch, written, replayed), written.offer(), taken);
            });
    // Committed: the statement commits by itself.
    direct.handOver(answered.taken(), answered.offer());
    return answered.results();
  }

  private static List<IngestResult> results(
      List<Ingestion> batch, Written written, Map<Ingestion, List<UUID>> replayed) {
    Set<UUID> leased = written.outcome().leased();
    return batch.stream()
        .map(
            i -> {
              if (!written.outcome().inserted().contains(i.event().id())) {
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
   * What the statement wrote, the deliveries planned for each event, and the offer to this server's
   * dispatcher with those of them the statement leased.
   */
  private record Written(
      IngestStatement.Outcome outcome,
      Map<UUID, List<UUID>> plannedIds,
      DirectLeases.Offer offer,
      List<PlannedDelivery> leased) {}

  /** What the callers are answered, and the claims handed to the dispatcher once committed. */
  private record Answered(
      List<IngestResult> results, DirectLeases.Offer offer, List<ClaimedDelivery> taken) {}

  private Written planAndInsert(Connection connection, List<Ingestion> batch) throws SQLException {
    List<String> projects = batch.stream().map(i -> i.event().projectId()).distinct().toList();
    List<String> bots = batch.stream().map(i -> i.event().botId()).distinct().toList();
    for (int tries = 1; ; tries++) {
      FanOutCandidates.Candidates candidates = this.candidates.of(connection, projects, bots);
      List<PlannedDelivery> planned = new ArrayList<>();
      Map<UUID, List<UUID>> plannedIds = new HashMap<>();
      for (Ingestion ingestion : batch) {
        Event event = ingestion.event();
        // The domain's fan-out picks each event's recipients among the batch's.
        List<NewDelivery> made = ingestion.fanOut().apply(candidates.webhooks());
        made.forEach(d -> planned.add(new PlannedDelivery(event, ingestion.bodyTemplate(), d)));
        plannedIds.put(event.id(), made.stream().map(NewDelivery::id).toList());
      }
      DirectLeases.Offer offer = direct.offer(planned);
      Optional<IngestStatement.Outcome> outcome =
          statement.run(connection, batch, planned, candidates.generation(), offer);
      if (outcome.isPresent()) {
        Set<UUID> leased = outcome.get().leased();
        return new Written(
            outcome.get(),
            plannedIds,
            offer,
            planned.stream().filter(d -> leased.contains(d.delivery().id())).toList());
      }
      this.candidates.forget();
      if (tries == PLANS_AT_MOST) {
        throw new UnavailableException(
            "webhooks kept changing while the events were written; try again");
      }
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
