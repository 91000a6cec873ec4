package dev.herald.it;

import dev.herald.persistence.DispatcherClaim;
import dev.herald.persistence.Retention;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleFunction;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Whether Herald's cost stays flat as its history grows: the same measures on a fresh database and
 * on one holding a month of history ({@link #deliveries} deliveries, 10,000,000 unless {@code
 * herald.bench.history.deliveries} says otherwise, each with its event and one attempt, spread over
 * {@link #days} days (30 unless {@code herald.bench.history.days} says otherwise), a thousand
 * projects and ten thousand bots), in one run; then a day's partitions dropped past the retention
 * while 1,000 events/s arrive.
 *
 * <p>Each database is measured twice, in the order empty, history, history, empty, and each side's
 * samples are pooled: on a shared host the same measure of the same database moved by half from one
 * minute to the next (end-to-end p99s at 1,000/s of 5.8 and 13.6 ms on two empty databases the same
 * morning), so one round of each compared the host's moments as much as the databases. Alternating
 * this way, a host that speeds up or slows down through the phase weighs on both sides alike; each
 * round's figures are reported beside the pooled ones.
 *
 * <p>Past 250 lines as one class because the history's build, the rounds and the drop share the two
 * databases, the receiver and the servers they measure.
 */
final class HistoryBench {
  private static final String PROJECT = "bench-history";
  private static final String LISTED_BOT = "bot-0";
  private static final int PROJECTS = 1_000;
  private static final int BOTS = 10_000;
  private static final int WEBHOOKS_PER_PROJECT = 4;
  private static final int RATE = 1_000;
  private static final int CALLS = 500;
  private static final int QUEUED_FOR_CLAIM = 10_000;
  private static final double TARGET_RATIO = 1.5;
  private static final double TARGET_DROP_SECONDS = 1;
  private static final double TARGET_P99_MS = 50;
  private static final Duration WARM_UP = Duration.ofSeconds(30);

  /**
   * Counted apart, after the checkpoint that ends the warm-up: each page first written after a
   * checkpoint goes to the WAL whole, and for some seconds the ingest calls wait on it.
   */
  private static final Duration LEAD_IN = Duration.ofSeconds(15);

  private final Path jar;
  private final Path workDir;
  private final Map<String, String> settings;
  private final FastReceiver receiver;
  private final long deliveries = Long.getLong("herald.bench.history.deliveries", 10_000_000L);
  private final int days = Integer.getInteger("herald.bench.history.days", 30);

  HistoryBench(Path jar, Path workDir, Map<String, String> settings, FastReceiver receiver) {
    this.jar = jar;
    this.workDir = workDir;
    this.settings = settings;
    this.receiver = receiver;
    if (days < 2) {
      // The drop keeps days - 1 of them, and a retention is at least a day.
      throw new IllegalArgumentException("herald.bench.history.days must be at least 2: " + days);
    }
  }

  /**
   * What one round measured on a database: the samples, so that rounds pool; the drop's figures on
   * the history's last round only.
   */
  private record Measures(
      Percentiles ingest,
      Percentiles endToEnd,
      double claimMillis,
      Percentiles list,
      Percentiles get,
      Map<String, Object> extra) {

    /** Two rounds' samples together; the claim, one median per round, as their mean. */
    static Measures pooled(Measures a, Measures b) {
      Map<String, Object> extra = new LinkedHashMap<>(a.extra());
      extra.putAll(b.extra());
      return new Measures(
          Percentiles.pooled(a.ingest(), b.ingest()),
          Percentiles.pooled(a.endToEnd(), b.endToEnd()),
          (a.claimMillis() + b.claimMillis()) / 2,
          Percentiles.pooled(a.list(), b.list()),
          Percentiles.pooled(a.get(), b.get()),
          extra);
    }
  }

  /** Runs the phase; adds it to {@code results} and {@code table}. */
  void run(Map<String, Object> results, List<String> table) throws Exception {
    String emptyUrl = TestDatabases.freshDatabaseUrl();
    String fullUrl = TestDatabases.freshDatabaseUrl();
    setUp(emptyUrl);
    setUp(fullUrl);
    long buildStart = System.nanoTime();
    build(fullUrl);
    double buildSeconds = (System.nanoTime() - buildStart) / 1e9;
    List<Measures> emptyRounds = new ArrayList<>();
    List<Measures> fullRounds = new ArrayList<>();
    emptyRounds.add(measure(emptyUrl, "empty1", false));
    fullRounds.add(measure(fullUrl, "history1", false));
    fullRounds.add(measure(fullUrl, "history2", true));
    emptyRounds.add(measure(emptyUrl, "empty2", false));
    Measures empty = Measures.pooled(emptyRounds.get(0), emptyRounds.get(1));
    Measures full = Measures.pooled(fullRounds.get(0), fullRounds.get(1));

    Map<String, Object> history = new LinkedHashMap<>();
    history.put("deliveries", deliveries);
    history.put("days", days);
    history.put("build_s", Math.round(buildSeconds));
    history.put("bytes_on_disk", bytesOnDisk(fullUrl));
    history.put("rounds", "empty, history, history, empty; each side's samples pooled");
    boolean allFlat = true;
    for (Measure measure : MEASURES) {
      double onEmpty = measure.of(empty);
      double onFull = measure.of(full);
      double ratio = onFull / onEmpty;
      boolean met = ratio <= TARGET_RATIO;
      allFlat &= met;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("empty_ms", round(onEmpty));
      row.put("history_ms", round(onFull));
      row.put("ratio", round(ratio));
      row.put("met", met);
      row.put("empty_rounds_ms", emptyRounds.stream().map(m -> round(measure.of(m))).toList());
      row.put("history_rounds_ms", fullRounds.stream().map(m -> round(measure.of(m))).toList());
      history.put(measure.name(), row);
      table.add(
          String.format(
              Locale.ROOT,
              "history %-24s %8.2f ms empty, %8.2f ms with %,d deliveries over %d days (%.2fx, target <="
                  + " %.1fx: %s);"
                  + " rounds %.2f, %.2f and %.2f, %.2f ms",
              measure.name(),
              onEmpty,
              onFull,
              deliveries,
              days,
              ratio,
              TARGET_RATIO,
              met ? "met" : "not met",
              measure.of(emptyRounds.get(0)),
              measure.of(emptyRounds.get(1)),
              measure.of(fullRounds.get(0)),
              measure.of(fullRounds.get(1))));
    }
    history.put("flat_target", TARGET_RATIO);
    history.put("flat_met", allFlat);
    history.putAll(full.extra());
    results.put("history", history);
    table.add(
        String.format(
            Locale.ROOT,
            "history: a day's partitions dropped under %d/s in %.2f s (target < %.0f s: %s),"
                + " end to end p99 meanwhile %.2f ms (target <= %.0f: %s); built in %.0f s",
            RATE,
            (double) full.extra().get("drop_s"),
            TARGET_DROP_SECONDS,
            (boolean) full.extra().get("drop_met") ? "met" : "not met",
            (double) full.extra().get("drop_p99_ms"),
            TARGET_P99_MS,
            (double) full.extra().get("drop_p99_ms") <= TARGET_P99_MS ? "met" : "not met",
            buildSeconds));
  }

  /** One figure compared between the two databases, and how it is read from a round. */
  private record Measure(String name, ToDoubleFunction<Measures> of) {
    double of(Measures measures) {
      return of.applyAsDouble(measures);
    }
  }

  private static final List<Measure> MEASURES =
      List.of(
          new Measure("ingest_p99_at_1000", m -> m.ingest().millis(99)),
          new Measure("end_to_end_p99_at_1000", m -> m.endToEnd().millis(99)),
          new Measure("claim_64_median", Measures::claimMillis),
          new Measure("list_bot_median", m -> m.list().millis(50)),
          new Measure("get_delivery_median", m -> m.get().millis(50)));

  /**
   * The measured project's webhook, and sixty deliveries of the bot whose list is read, on a
   * database of their own: what a round finds there whichever database it measures.
   */
  private void setUp(String url) throws Exception {
    try (ServerProcess server = ServerProcess.start(jar, workDir, settingsOn(url))) {
      ManagedChannel channel = HeraldFixture.channel(server.port, HeraldFixture.ADMIN_TOKEN);
      try {
        WebhookServiceGrpc.newBlockingStub(channel)
            .createWebhook(Requests.webhook(PROJECT, receiver.url("/history")));
        for (int i = 0; i < 60; i++) {
          IngestionServiceGrpc.newBlockingStub(channel)
              .ingestStateChange(Requests.stateChange(PROJECT, LISTED_BOT).build());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private Map<String, String> settingsOn(String url) {
    Map<String, String> own = new HashMap<>(settings);
    own.put("HERALD_DATABASE_URL", url);
    return own;
  }

  /**
   * One round's measures, on a server started for them: a warm-up, then 1,000 events/s for 30 s,
   * then reads; with {@code drop}, a retention pass under the same load; the claim once the server
   * has stopped.
   */
  private Measures measure(String url, String label, boolean drop) throws Exception {
    Map<String, Object> extra = new LinkedHashMap<>();
    OfferedLoad.Lags lags;
    Percentiles list;
    Percentiles get;
    try (ServerProcess server = ServerProcess.start(jar, workDir, settingsOn(url))) {
      ManagedChannel channel = HeraldFixture.channel(server.port, HeraldFixture.ADMIN_TOKEN);
      try {
        OfferedLoad load = new OfferedLoad(server, channel, receiver, PROJECT);
        load.warmUp(WARM_UP);
        // As the latency phase does: the warm-up ingests several times as fast as the load.
        HeraldBenchmark.settle(url);
        lags = load.offer(label, RATE, LEAD_IN, Duration.ofSeconds(30));
        var reads = DeliveryServiceGrpc.newBlockingStub(channel);
        ListDeliveriesRequest listBot =
            ListDeliveriesRequest.newBuilder()
                .setProjectId(PROJECT)
                .setBotId(LISTED_BOT)
                .setPageSize(50)
                .build();
        List<String> listed =
            reads.listDeliveries(listBot).getDeliveriesList().stream()
                .map(Delivery::getId)
                .toList();
        list = timed(() -> reads.listDeliveries(listBot));
        get = timed(cycling(reads, listed));
        if (drop) {
          extra.put(
              "get_delivery_of_last_month_median_ms",
              round(timed(cycling(reads, oldDeliveries(url))).millis(50)));
          dropADayUnderLoad(url, load, extra);
        }
      } finally {
        channel.shutdownNow();
      }
    }
    return new Measures(lags.ingest(), lags.steady(), claimMillis(url), list, get, extra);
  }

  private static Runnable cycling(
      DeliveryServiceGrpc.DeliveryServiceBlockingStub reads, List<String> ids) {
    int[] next = {0};
    return () ->
        reads.getDelivery(
            GetDeliveryRequest.newBuilder().setId(ids.get(next[0]++ % ids.size())).build());
  }

  private static Percentiles timed(Runnable call) {
    long[] micros = new long[CALLS];
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      call.run();
      micros[i] = (System.nanoTime() - start) / 1000;
    }
    return new Percentiles(micros);
  }

  /**
   * The retention pass that drops the month's oldest day, run while events arrive at {@link
   * #RATE}/s, ten seconds into the load: how long it took, and the load's end-to-end p99.
   */
  private void dropADayUnderLoad(String url, OfferedLoad load, Map<String, Object> extra)
      throws Exception {
    CompletableFuture<OfferedLoad.Lags> during =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return load.offer("drop", RATE, Duration.ofSeconds(3), Duration.ofSeconds(30));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(13_000);
    long start = System.nanoTime();
    List<String> dropped =
        new Retention(dataSource(url), Duration.ofDays(days - 1), Clock.systemUTC()).apply();
    double seconds = (System.nanoTime() - start) / 1e9;
    OfferedLoad.Lags lags = during.get();
    if (dropped.isEmpty()) {
      throw new IllegalStateException("the retention pass dropped nothing");
    }
    extra.put("drop_s", round(seconds));
    extra.put("drop_met", seconds < TARGET_DROP_SECONDS);
    extra.put("drop_partitions", dropped);
    extra.put("drop_p99_ms", round(lags.steady().millis(99)));
  }

  /**
   * The claim of 64 on {@value #QUEUED_FOR_CLAIM} due deliveries of today, as the dispatcher makes
   * it; the server is stopped, and the rows go again after.
   */
  private static double claimMillis(String url) throws SQLException {
    try (Connection connection = DispatcherClaim.connect(url);
        Statement sql = connection.createStatement()) {
      sql.execute(
          ("with event as (select id, create_time from events where project_id = '%1$s' and create_time >= current_date limit 1),"
                  + " webhook as (select id, url from webhooks where project_id = '%1$s'),"
                  + " made as (insert into deliveries (id, event_id, webhook_id, project_id, bot_id,"
                  + " idempotency_key, create_time) select gen_random_uuid(),"
                  + " event.id, webhook.id, '%1$s', 'claimed',"
                  + " gen_random_uuid(), event.create_time"
                  + " from event, webhook, generate_series(1, %2$d) returning id, webhook_id,"
                  + " create_time)"
                  + " insert into delivery_queue (delivery_id, webhook_id, next_attempt_time,"
                  + " delivery_create_time) select id, webhook_id, now() - interval '1 minute',"
                  + " create_time from made")
              .formatted(PROJECT, QUEUED_FOR_CLAIM));
      sql.execute("analyze delivery_queue");
      try {
        return HeraldBenchmark.medianClaimMillis(connection);
      } finally {
        sql.execute(
            "with gone as (delete from delivery_queue returning delivery_id)"
                + " delete from deliveries where id in (select delivery_id from gone)");
      }
    }
  }

  /** Deliveries of the listed bot made before today: the history's. */
  private static List<String> oldDeliveries(String url) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url);
        PreparedStatement statement =
            connection.prepareStatement(
                "select id from deliveries where project_id = ? and bot_id = ?"
                    + " and create_time < current_date - 1 limit 50")) {
      statement.setString(1, PROJECT);
      statement.setString(2, LISTED_BOT);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
    }
    if (ids.isEmpty()) {
      throw new IllegalStateException("the history has no deliveries of " + LISTED_BOT);
    }
    return ids;
  }

  /**
   * Writes the history in SQL, a day at a time: the days' partitions made as a retention pass would
   * have made them then; events with the body of one the server made, each fanned out to its
   * project's webhooks (four each, the measured project's one of its own), each delivery succeeded
   * at its one attempt. Then a vacuum, as autovacuum would long since have made.
   */
  private void build(String url) throws SQLException {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    PGSimpleDataSource source = dataSource(url);
    for (int back = days; back >= 1; back -= Retention.DAYS_AHEAD + 1) {
      Clock then =
          Clock.fixed(
              today.minusDays(back).atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
      new Retention(source, Retention.DEFAULT, then).apply();
    }
    long eventsPerDay = deliveries / days / WEBHOOKS_PER_PROJECT;
    try (Connection connection = DriverManager.getConnection(url);
        Statement sql = connection.createStatement()) {
      sql.execute(
          "create function pg_temp.v7(t timestamptz, salt text) returns uuid language sql as $$"
              + " select (lpad(to_hex(floor(extract(epoch from t) * 1000)::bigint), 12, '0')"
              + " || '7' || substr(md5(salt), 1, 3) || '8' || substr(md5(salt), 4, 15))::uuid $$");
      sql.execute(
          ("insert into webhooks (id, project_id, url, triggers, active, create_time, update_time)"
                  + " select gen_random_uuid(), 'history-' || p,"
                  + " 'https://history-' || p || '.example/hook-' || k, '{bot.state_change}',"
                  + " true, now() - interval '%d days', now() - interval '%1$d days'"
                  + " from generate_series(1, %d) p, generate_series(1, %d) k")
              .formatted(days + 1, PROJECTS - 1, WEBHOOKS_PER_PROJECT));
      byte[] body;
      try (ResultSet row =
          sql.executeQuery(
              "select packed_body from events where packed_body is not null limit 1")) {
        row.next();
        body = row.getBytes(1);
      }
      sql.execute(
          "insert into attempt_urls (url) select url from webhooks on conflict (url) do nothing");
      for (int back = days; back >= 1; back--) {
        String start = today.minusDays(back) + "T00:00:00Z";
        try (PreparedStatement events =
            connection.prepareStatement(
                ("insert into events (id, project_id, event_id, bot_id, create_time, packed_body)"
                        + " select pg_temp.v7(t, 'e' || n), case when n %% %2$d = 0 then '%3$s'"
                        + " else 'history-' || n %% %2$d end, 'evt-%4$d-' || n,"
                        + " 'bot-' || n %% %5$d, t, ?"
                        + " from (select n, ?::timestamptz + (n::bigint * 86400000 / %1$d)"
                        + " * interval '1 millisecond' t from generate_series(0, %1$d - 1) n) made")
                    .formatted(eventsPerDay, PROJECTS, PROJECT, back, BOTS))) {
          events.setBytes(1, body);
          events.setString(2, start);
          events.executeUpdate();
        }
        String day =
            "create_time >= '%1$s'::timestamptz and create_time < '%1$s'::timestamptz + interval '1 day'"
                .formatted(start);
        String eventsOfTheDay = "e." + day.replace(" and create_time", " and e.create_time");
        sql.execute(
            "insert into deliveries (id, event_id, webhook_id, project_id, bot_id,"
                + " idempotency_key, create_time)"
                + " select pg_temp.v7(e.create_time, w.id::text || e.id::text), e.id, w.id,"
                + " e.project_id, e.bot_id, gen_random_uuid(), e.create_time"
                + " from events e join webhooks w on w.project_id = e.project_id where "
                + eventsOfTheDay);
        sql.execute(
            "insert into delivery_attempts (delivery_id, attempt_number, url, url_id, start_time,"
                + " duration_ms, response_status_code, response_body, error, succeeded,"
                + " delivery_create_time)"
                + " select d.id, 1, '', u.id, d.create_time + interval '5 milliseconds', 15, 200,"
                + " 'ok', '', true, d.create_time"
                + " from deliveries d join webhooks w on w.id = d.webhook_id"
                + " join attempt_urls u on u.url = w.url where "
                + day.replace("create_time", "d.create_time"));
      }
      sql.execute("vacuum (analyze)");
    }
  }

  private static Map<String, Long> bytesOnDisk(String url) throws SQLException {
    Map<String, Long> bytes = new LinkedHashMap<>();
    try (Connection connection = DriverManager.getConnection(url);
        Statement sql = connection.createStatement()) {
      for (String table : List.of("events", "deliveries", "delivery_attempts")) {
        try (ResultSet row =
            sql.executeQuery(
                "select sum(pg_total_relation_size(relid)) from pg_partition_tree('%s')"
                    .formatted(table))) {
          row.next();
          bytes.put(table, row.getLong(1));
        }
      }
    }
    return bytes;
  }

  private static PGSimpleDataSource dataSource(String url) {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(url);
    return source;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
