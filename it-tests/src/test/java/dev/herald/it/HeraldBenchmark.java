package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.domain.TimeOrderedIds;
import dev.herald.persistence.DispatcherClaim;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Herald's throughput, latency and cost on this machine, each beside the ceiling the machine itself
 * sets, in one run: {@code mvn -B -Pbench -pl it-tests -am verify}. Prints a table and writes
 * {@code it-tests/target/bench/results.json}. The server runs as its own process, from the same jar
 * operators run.
 *
 * <p>Past 250 lines because each phase here stands beside the ceiling it is held against and the
 * table line it prints; the phases with set-ups of their own have classes of their own ({@link
 * StorageBench}, {@link HistoryBench}, {@link OutageBench}, {@link DeliveryControlsBench}).
 */
class HeraldBenchmark {
  private static final Duration MEASURE = Duration.ofSeconds(10);
  private static final Duration WARM_UP = Duration.ofSeconds(3);

  /**
   * Ingest on a fresh server for this long before the measured runs, reported apart: for about half
   * a minute the JIT compiler takes as much CPU as the calls themselves. Rounds of {@link
   * OfferedLoad#WARM_UP_ROUND} follow, unmeasured, until it rests.
   */
  private static final Duration INGEST_WARM_UP = Duration.ofSeconds(30);

  private static final int DRAIN_BACKLOG = 100_000;

  /**
   * The first backlog a fresh server drains, measured apart: its JIT compiler is still busy with
   * the delivery path through it (a third of the server's CPU in the first 10,000). Backlogs of
   * this size follow, unmeasured, until the server is warm ({@link
   * JitCompiler#WARM_COMPILER_SHARE}); the measured drain is the server as it runs once warm.
   */
  private static final int DRAIN_WARM_UP = 50_000;

  /**
   * The drain's backlog ({@link #drainBacklog}): events, deliveries and due queue rows, from the
   * time they were made at and the ids of each event and its delivery, in the order made.
   */
  private static final String DRAIN_BACKLOG_ROWS =
      """
      with made as (
        select m.event_id, m.delivery_id, m.n, ?::timestamptz as create_time
          from unnest(?::uuid[], ?::uuid[]) with ordinality as m(event_id, delivery_id, n)
      ),
      body as (select body, packed_body from events where project_id = 'bench-ingest' limit 1),
      drain as (select id from webhooks where project_id = 'bench-drain'),
      event as (
        insert into events (id, project_id, event_id, bot_id, create_time, body, packed_body)
        select m.event_id, 'bench-drain', m.event_id::text, 'bot', m.create_time, b.body,
               b.packed_body
          from made m, body b
         order by m.n
      ),
      delivery as (
        insert into deliveries (id, event_id, webhook_id, project_id, bot_id, create_time)
        select m.delivery_id, m.event_id, w.id, 'bench-drain', 'bot', m.create_time
          from made m, drain w
         order by m.n
      )
      insert into delivery_queue (delivery_id, webhook_id, next_attempt_time,
                                  delivery_create_time, event_id)
      select m.delivery_id, w.id, m.create_time, m.create_time, m.event_id
        from made m, drain w
       order by m.n
      """;

  /**
   * POSTs the ceiling's client makes before the measured ones, so that the ceiling, like the drain,
   * is of a warm JVM.
   */
  private static final int CEILING_WARM_UP = 20_000;

  /**
   * The latency phase's server has not run ingest before (the ingest phase has a process of its
   * own): for its first 20 s or so at 1,000 events/s the JIT compiler takes a core and deliveries
   * fall seconds behind. This much of it is reported apart; then the server ingests as fast as it
   * can for as long again, and in rounds after until the compiler rests, and delivers all of it,
   * before the measured loads.
   */
  private static final Duration LATENCY_WARM_UP = Duration.ofSeconds(30);

  /** The server delivers as many at once as the ceiling's client POSTs. */
  private static final int DELIVERY_CONCURRENCY = RawPosts.CONCURRENCY;

  /**
   * The phases to run, all by default; {@code -Dherald.bench.phases=drain,latency} re-measures only
   * what a change touches. Only a run of all of them is the benchmark's result.
   */
  private static final Set<String> PHASES =
      Set.of(
          System.getProperty(
                  "herald.bench.phases",
                  "ingest,drain,latency,sweep,fanout,controls,outage,storage,history,claim")
              .split(","));

  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String> table = new ArrayList<>();
  private String jdbcUrl;
  private double peakRssMb;

  /** The raw-POST ceiling measured by the drain phase: what the sweep's rates are held against. */
  private double rawPostCeiling;

  /** The same with its client warm in a process of its own, reported beside it. */
  private WarmCeiling.Result warmCeiling;

  @Test
  void measure() throws Exception {
    Path workDir = serverLogs();
    jdbcUrl = TestDatabases.freshDatabaseUrl();
    Path jar = Path.of(System.getProperty("herald.server.jar"));
    try (FastReceiver receiver = new FastReceiver()) {
      Map<String, String> settings = settings();

      Map<String, String> ingestOnly = new HashMap<>(settings);
      ingestOnly.put("HERALD_DELIVERY_ENABLED", "false");
      String payload;
      try (ServerProcess server = ServerProcess.start(jar, workDir, ingestOnly)) {
        payload =
            PHASES.contains("ingest") ? ingest(server, receiver) : ingestOne(server, receiver);
        peakRssMb = Math.max(peakRssMb, server.peakRssMb());
      }
      // Without the ingest phase this leaves statistics of near-empty tables (one ended delivery)
      // for the next phase to start from, as a quiet moment in production would.
      settle();
      try (ServerProcess server = ServerProcess.start(jar, workDir, settings)) {
        if (PHASES.contains("drain")) {
          drain(server, receiver, payload);
          settle();
        }
        if (PHASES.contains("latency")) {
          latency(server, receiver);
          settle();
        }
        if (PHASES.contains("sweep")) {
          sweep(server, receiver, payload);
          settle();
        }
        if (PHASES.contains("fanout")) {
          fanOut(server, receiver);
        }
        if (PHASES.contains("controls")) {
          ManagedChannel channel = channel(server);
          try {
            new DeliveryControlsBench(channel, receiver).run(results, table);
          } finally {
            channel.shutdownNow();
          }
        }
        if (PHASES.contains("outage")) {
          outage(server, receiver, payload);
        }
        peakRssMb = Math.max(peakRssMb, server.peakRssMb());
      }
    }
    results.put("peak_rss_mb", round(peakRssMb));
    if (PHASES.contains("storage")) {
      try (FastReceiver receiver = new FastReceiver()) {
        new StorageBench(jar, workDir, settings(), receiver).run(results, table);
      }
    }
    if (PHASES.contains("history")) {
      try (FastReceiver receiver = new FastReceiver()) {
        new HistoryBench(jar, workDir, settings(), receiver).run(results, table);
      }
    }
    if (PHASES.contains("claim")) {
      claimLatency();
    }
    report();
  }

  /** The delivering server's settings, on the benchmark's database. */
  private Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("HERALD_DATABASE_URL", jdbcUrl);
    settings.put("HERALD_MASTER_KEY", HeraldFixture.MASTER_KEY);
    settings.put("HERALD_ADMIN_TOKEN", HeraldFixture.ADMIN_TOKEN);
    settings.put("HERALD_REQUIRE_HTTPS", "false");
    settings.put("HERALD_ALLOW_PRIVATE_NETWORKS", "true");
    // One receiver takes the whole backlog here, so it may use every slot, as the ceiling does.
    settings.put("HERALD_DELIVERY_CONCURRENCY", Integer.toString(DELIVERY_CONCURRENCY));
    settings.put(
        "HERALD_DELIVERY_PER_ENDPOINT_CONCURRENCY", Integer.toString(DELIVERY_CONCURRENCY));
    return settings;
  }

  /** Where the servers run and log: beside the results, to read after a surprising run. */
  private static Path serverLogs() throws IOException {
    return Files.createDirectories(Path.of(System.getProperty("herald.bench.dir"), "servers"));
  }

  /**
   * Cleans up after the last phase and writes back what it dirtied (a vacuum, then a checkpoint),
   * so that neither lands in the next phase's figures: retiring the ingest phase's webhook ends
   * several hundred thousand pending deliveries, and autovacuum then cleaned up after them during
   * the drain. The checkpoint needs a superuser or pg_checkpoint; without one it is left out. With
   * {@code -Dherald.bench.settle=false} it does nothing, and autovacuum and PostgreSQL's own
   * checkpoints do the work while the next phase runs, as they would in production.
   */
  private void settle() throws SQLException {
    settle(jdbcUrl);
  }

  /** Whether the phases are separated by a vacuum and a checkpoint ({@link #settle}). */
  static final boolean SETTLE =
      Boolean.parseBoolean(System.getProperty("herald.bench.settle", "true"));

  static void settle(String url) throws SQLException {
    if (!SETTLE) {
      return;
    }
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute("vacuum (analyze)");
      try {
        statement.execute("checkpoint");
      } catch (SQLException e) {
        System.out.println("no checkpoint between phases: " + e.getMessage());
      }
    }
  }

  // 1. Ingest, against plain JDBC writing the same rows.
  private String ingest(ServerProcess server, FastReceiver receiver) throws Exception {
    ManagedChannel channel = channel(server);
    try {
      String webhookId = ingestWebhook(channel, receiver);
      Map<String, Object> ingest = new LinkedHashMap<>();
      Run cold =
          timeBoxed(
              64,
              Duration.ZERO,
              INGEST_WARM_UP,
              (n, done) -> OfferedLoad.ingestAsync(channel, "bench-ingest", "cold-" + n, done));
      JitCompiler.Warmth warmth =
          server.warmUp(
              () ->
                  timeBoxed(
                      64,
                      Duration.ZERO,
                      OfferedLoad.WARM_UP_ROUND,
                      (n, done) ->
                          OfferedLoad.ingestAsync(channel, "bench-ingest", "warm-" + n, done)));
      for (int inFlight : new int[] {1, 16, 64}) {
        Run herald =
            timeBoxed(
                inFlight,
                WARM_UP,
                MEASURE,
                (n, done) ->
                    OfferedLoad.ingestAsync(
                        channel, "bench-ingest", "c" + inFlight + "-" + n, done));
        Run ceiling = jdbcCeiling(inFlight);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("events_per_s", round(herald.perSecond()));
        row.put("p50_ms", round(herald.latencies().millis(50)));
        row.put("p99_ms", round(herald.latencies().millis(99)));
        row.put("ceiling_per_s", round(ceiling.perSecond()));
        row.put("ratio", round(herald.perSecond() / ceiling.perSecond()));
        ingest.put("c" + inFlight, row);
        table.add(
            String.format(
                Locale.ROOT,
                "ingest, %2d in flight   %8.0f events/s  p50 %6.2f ms  p99 %6.2f ms   ceiling %8.0f/s  ratio %.2f",
                inFlight,
                herald.perSecond(),
                herald.latencies().millis(50),
                herald.latencies().millis(99),
                ceiling.perSecond(),
                herald.perSecond() / ceiling.perSecond()));
      }
      ingest.put("c64_cold", Map.of("events_per_s", round(cold.perSecond())));
      ingest.put("warm_up_rounds", warmth.rounds());
      results.put("ingest", ingest);
      table.add(
          String.format(
              Locale.ROOT,
              "  first %d s after start %8.0f events/s, 64 in flight (cold: JIT compiling)",
              INGEST_WARM_UP.toSeconds(),
              cold.perSecond()));
      String payload = samplePayload(channel);
      retire(channel, webhookId);
      return payload;
    } finally {
      channel.shutdownNow();
    }
  }

  /** One event, for the phases that follow when the ingest phase is not run: its payload. */
  private String ingestOne(ServerProcess server, FastReceiver receiver) throws Exception {
    ManagedChannel channel = channel(server);
    try {
      String webhookId = ingestWebhook(channel, receiver);
      IngestionServiceGrpc.newBlockingStub(channel)
          .ingestStateChange(Requests.stateChange("bench-ingest", "one").build());
      String payload = samplePayload(channel);
      retire(channel, webhookId);
      return payload;
    } finally {
      channel.shutdownNow();
    }
  }

  private static String ingestWebhook(ManagedChannel channel, FastReceiver receiver) {
    return WebhookServiceGrpc.newBlockingStub(channel)
        .createWebhook(Requests.webhook("bench-ingest", receiver.url("/ingest")))
        .getId();
  }

  /**
   * Deletes the ingest phase's webhook, which ends its pending deliveries: the ingest server does
   * not deliver, and the next phases must measure their own deliveries only.
   */
  private static void retire(ManagedChannel channel, String webhookId) {
    WebhookServiceGrpc.newBlockingStub(channel)
        .deleteWebhook(DeleteWebhookRequest.newBuilder().setId(webhookId).build());
  }

  /** The body of an ingest phase's delivery, as the server sends it. */
  private static String samplePayload(ManagedChannel channel) {
    return DeliveryServiceGrpc.newBlockingStub(channel)
        .listDeliveries(
            ListDeliveriesRequest.newBuilder().setProjectId("bench-ingest").setPageSize(1).build())
        .getDeliveries(0)
        .getPayload();
  }

  /**
   * The same rows an ingestion stores, one transaction per event, with nothing in between: the
   * event with a body the server packed, its delivery and its row in the queue, in a project of
   * their own, which no phase reads.
   */
  private Run jdbcCeiling(int inFlight) throws Exception {
    UUID webhookId;
    byte[] body;
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      try (ResultSet row = statement.executeQuery("select id from webhooks limit 1")) {
        row.next();
        webhookId = (UUID) row.getObject(1);
      }
      try (ResultSet row =
          statement.executeQuery(
              "select packed_body from events where packed_body is not null limit 1")) {
        row.next();
        body = row.getBytes(1);
      }
    }
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      Connection connection = DriverManager.getConnection(jdbcUrl);
      connection.setAutoCommit(false);
      connections.add(connection);
    }
    ConcurrentLinkedQueue<Connection> free = new ConcurrentLinkedQueue<>(connections);
    ExecutorService writers = Executors.newFixedThreadPool(inFlight);
    try {
      return timeBoxed(
          inFlight,
          WARM_UP,
          MEASURE,
          (n, done) ->
              writers.execute(
                  () -> {
                    Connection connection = free.poll();
                    try {
                      insertEventAndDelivery(
                          connection, webhookId, body, "jdbc-" + inFlight + "-" + n);
                    } catch (SQLException e) {
                      throw new IllegalStateException(e);
                    } finally {
                      free.add(connection);
                      done.run();
                    }
                  }));
    } finally {
      writers.shutdown();
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }

  private static void insertEventAndDelivery(
      Connection connection, UUID webhookId, byte[] body, String bot) throws SQLException {
    UUID eventId = UUID.randomUUID();
    try (PreparedStatement event =
            connection.prepareStatement(
                "insert into events (id, project_id, event_id, bot_id, create_time, packed_body) "
                    + "values (?, 'bench-jdbc', ?, ?, now(), ?)");
        PreparedStatement delivery =
            connection.prepareStatement(
                "insert into deliveries (id, event_id, webhook_id, project_id, bot_id, create_time) "
                    + "values (?, ?, ?, 'bench-jdbc', ?, now())");
        PreparedStatement queued =
            connection.prepareStatement(
                "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time, delivery_create_time) values (?, ?, now(), now())")) {
      event.setObject(1, eventId);
      event.setString(2, UUID.randomUUID().toString());
      event.setString(3, bot);
      event.setBytes(4, body);
      event.executeUpdate();
      UUID deliveryId = UUID.randomUUID();
      delivery.setObject(1, deliveryId);
      delivery.setObject(2, eventId);
      delivery.setObject(3, webhookId);
      delivery.setString(4, bot);
      delivery.executeUpdate();
      queued.setObject(1, deliveryId);
      queued.setObject(2, webhookId);
      queued.executeUpdate();
      connection.commit();
    }
  }

  // 2. Drain a backlog, against the same HTTP client posting straight to the receiver.
  private void drain(ServerProcess server, FastReceiver receiver, String payload) throws Exception {
    ManagedChannel channel = channel(server);
    try {
      WebhookServiceGrpc.newBlockingStub(channel)
          .createWebhook(Requests.webhook("bench-drain", receiver.url("/drain")));
    } finally {
      channel.shutdownNow();
    }
    double coldPerSecond = DRAIN_WARM_UP / drainBacklog(receiver, DRAIN_WARM_UP).seconds();
    int warmUpBacklogs =
        server.warmUp(() -> drainBacklog(receiver, DRAIN_WARM_UP).seconds()).rounds();
    Duration cpuBefore = server.cpu();
    Drained[] drained = new Drained[1];
    double compilerShare =
        server.compilerShareOf(
            () -> (drained[0] = drainBacklog(receiver, DRAIN_BACKLOG)).seconds());
    double perSecond = DRAIN_BACKLOG / drained[0].seconds();
    double cpuPer10k = (server.cpu().minus(cpuBefore).toMillis() / 1000.0) / DRAIN_BACKLOG * 10_000;
    double postgresPer10k = (drained[0].postgresCpu().toMillis() / 1000.0) / DRAIN_BACKLOG * 10_000;
    AtomicLong clientCpuNanos = new AtomicLong();
    double ceiling = rawPostCeiling(receiver.url("/ceiling"), payload, clientCpuNanos);
    rawPostCeiling = ceiling;
    WarmCeiling.Result warm = warmCeiling(receiver, payload);
    double clientPer10k = clientCpuNanos.get() / 1e9 / DRAIN_BACKLOG * 10_000;

    Map<String, Object> drain = new LinkedHashMap<>();
    drain.put("deliveries_per_s", round(perSecond));
    drain.put("ceiling_per_s", round(ceiling));
    drain.put("ratio", round(perSecond / ceiling));
    drain.put("ratio_target", 0.7);
    drain.put("ratio_met", perSecond / ceiling >= 0.7);
    drain.put("cold_deliveries_per_s", round(coldPerSecond));
    drain.put("warm_up_deliveries", DRAIN_WARM_UP * (1 + warmUpBacklogs));
    drain.put("compiler_cpu_share", round(compilerShare));
    drain.put("server_cpu_s_per_10k", round(cpuPer10k));
    drain.put("postgres_cpu_s_per_10k", round(postgresPer10k));
    drain.put("client_cpu_s_per_10k", round(clientPer10k));
    drain.put("cpu_ratio", round(cpuPer10k / clientPer10k));
    drain.put("cpu_ratio_target", 2.0);
    drain.put("cpu_ratio_met", cpuPer10k / clientPer10k <= 2.0);
    drain.put("warm_client_ceiling_per_s", round(warm.perSecond()));
    drain.put("ratio_to_warm_client_ceiling", round(perSecond / warm.perSecond()));
    drain.put("warm_client_cpu_s_per_10k", round(warm.cpuPer10k()));
    drain.put("cpu_ratio_to_warm_client", round(cpuPer10k / warm.cpuPer10k()));
    drain.put("warm_client_warm_up_posts", warm.warmUpPosts());
    drain.put("warm_client_compiler_cpu_share", round(warm.compilerShare()));
    results.put("drain", drain);
    results.put("cpu_s_per_10k", round(cpuPer10k));
    table.add(
        String.format(
            Locale.ROOT,
            "drain %,d backlog       %8.0f deliveries/s                  ceiling %8.0f/s  ratio %.2f",
            DRAIN_BACKLOG,
            perSecond,
            ceiling,
            perSecond / ceiling));
    table.add(
        String.format(
            Locale.ROOT,
            "  first %,d after start  %8.0f deliveries/s (cold: JIT compiling)",
            DRAIN_WARM_UP,
            coldPerSecond));
    table.add(
        String.format(
            Locale.ROOT,
            "  warmed up by %,d more; the JIT compiler %.0f%% of the server's CPU in the drain",
            DRAIN_WARM_UP * warmUpBacklogs,
            100 * compilerShare));
    table.add(
        String.format(
            Locale.ROOT,
            "cost                     %8.2f CPU s per 10,000 deliveries (server process),"
                + " %.2f PostgreSQL; the bare client %.2f per 10,000 POSTs: ratio %.2f",
            cpuPer10k,
            postgresPer10k,
            clientPer10k,
            cpuPer10k / clientPer10k));
    table.add(
        String.format(
            Locale.ROOT,
            "  beside: a client warm in a process of its own (%,d POSTs, its compiler %.0f%% of its CPU"
                + " at the end): ceiling %8.0f/s, ratio %.2f; %.2f CPU s per 10,000 POSTs, cost ratio"
                + " %.2f",
            warm.warmUpPosts(),
            100 * warm.compilerShare(),
            warm.perSecond(),
            perSecond / warm.perSecond(),
            warm.cpuPer10k(),
            cpuPer10k / warm.cpuPer10k()));
  }

  /**
   * A backlog drained: the seconds until all was done, and the CPU PostgreSQL spent from the moment
   * the backlog was queued (its writing is the benchmark's, not the drain's).
   */
  private record Drained(double seconds, Duration postgresCpu) {}

  /**
   * Queues {@code size} due deliveries to the drain webhook at once, each of an event of its own in
   * the drain's project with the body of one the ingest phase stored, as ingest writes them: ids
   * made as Herald makes them ({@link TimeOrderedIds}), an event's followed by its delivery's, and
   * queue rows naming their event. Waits until all are done.
   */
  private Drained drainBacklog(FastReceiver receiver, int size) throws Exception {
    Duration postgresBefore;
    receiver.reset();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    UUID[] events = new UUID[size];
    UUID[] deliveries = new UUID[size];
    for (int i = 0; i < size; i++) {
      events[i] = TimeOrderedIds.at(at);
      deliveries[i] = TimeOrderedIds.at(at);
    }
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement backlog = connection.prepareStatement(DRAIN_BACKLOG_ROWS)) {
      backlog.setObject(1, at.atOffset(ZoneOffset.UTC));
      backlog.setArray(2, connection.createArrayOf("uuid", events));
      backlog.setArray(3, connection.createArrayOf("uuid", deliveries));
      backlog.executeUpdate();
      postgresBefore = PostgresCpu.total();
      connection.createStatement().execute("notify herald_deliveries");
    }
    long start = System.nanoTime();
    // Counting pending rows is itself a scan of the backlog: ask the database only once the
    // receiver has every delivery, so that the probe does not compete with what it measures.
    awaitTrue(Duration.ofMinutes(5), () -> receiver.received() >= size);
    awaitTrue(Duration.ofMinutes(1), () -> pendingIn("bench-drain") == 0);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Drained(seconds, PostgresCpu.total().minus(postgresBefore));
  }

  /**
   * The same POSTs straight to the receiver with the client Herald uses, {@link #DRAIN_BACKLOG} of
   * them after {@link #CEILING_WARM_UP} uncounted; the CPU the counted calls spent is added to
   * {@code clientCpuNanos}.
   */
  private static double rawPostCeiling(String url, String payload, AtomicLong clientCpuNanos)
      throws Exception {
    try (RawPosts posts = new RawPosts(url, payload)) {
      posts.post(CEILING_WARM_UP, new AtomicLong());
      return posts.post(DRAIN_BACKLOG, clientCpuNanos);
    }
  }

  /** The ceiling with a warm client of its own ({@link WarmCeiling}), measured once a run. */
  private WarmCeiling.Result warmCeiling(FastReceiver receiver, String payload) throws Exception {
    if (warmCeiling == null) {
      warmCeiling =
          WarmCeiling.measure(
              Path.of(System.getProperty("herald.server.jar")),
              receiver.url("/ceiling"),
              payload,
              DRAIN_BACKLOG);
    }
    return warmCeiling;
  }

  // 6. A returning endpoint, after the other phases on the same server, with no vacuum before.
  private void outage(ServerProcess server, FastReceiver receiver, String payload)
      throws Exception {
    if (rawPostCeiling == 0) {
      rawPostCeiling = rawPostCeiling(receiver.url("/ceiling"), payload, new AtomicLong());
    }
    ManagedChannel channel = channel(server);
    try {
      new OutageBench(channel, receiver, rawPostCeiling).run(results, table);
    } finally {
      channel.shutdownNow();
    }
  }

  // 3. End-to-end latency at fixed offered loads.
  private void latency(ServerProcess server, FastReceiver receiver) throws Exception {
    ManagedChannel channel = channel(server);
    try {
      WebhookServiceGrpc.newBlockingStub(channel)
          .createWebhook(Requests.webhook("bench-latency", receiver.url("/latency")));
      OfferedLoad load = new OfferedLoad(server, channel, receiver, "bench-latency");
      Map<String, Object> latency = new LinkedHashMap<>();
      receiver.recordTimes(true);
      Percentiles cold = load.offer("cold", 1000, Duration.ZERO, LATENCY_WARM_UP).steady();
      latency.put("r1000_cold", percentiles(cold));
      load.warmUp(LATENCY_WARM_UP);
      // The warm-up ingests several times as fast as the loads measured; its dead rows are its own.
      settle();
      for (int rate : new int[] {100, 1000}) {
        OfferedLoad.Lags lags = load.offer("r" + rate, rate, WARM_UP, Duration.ofSeconds(30));
        Percentiles p = lags.steady();
        latency.put("r" + rate, percentiles(p));
        latency.put("r" + rate + "_step", percentiles(lags.step()));
        table.add(
            String.format(
                Locale.ROOT,
                "end to end at %4d/s      p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%d events)",
                rate,
                p.millis(50),
                p.millis(99),
                p.maxMillis(),
                p.count()));
        Percentiles step = lags.step();
        table.add(
            String.format(
                Locale.ROOT,
                "  its first %d s, the step up p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%d events, not in the line above)",
                WARM_UP.toSeconds(),
                step.millis(50),
                step.millis(99),
                step.maxMillis(),
                step.count()));
      }
      table.add(
          String.format(
              Locale.ROOT,
              "  first %d s after start    p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (cold: JIT compiling)",
              LATENCY_WARM_UP.toSeconds(),
              cold.millis(50),
              cold.millis(99),
              cold.maxMillis()));
      receiver.recordTimes(false);
      results.put("latency", latency);
    } finally {
      channel.shutdownNow();
    }
  }

  private static Map<String, Object> percentiles(Percentiles p) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("p50_ms", round(p.millis(50)));
    row.put("p99_ms", round(p.millis(99)));
    row.put("max_ms", round(p.maxMillis()));
    return row;
  }

  // 3b. The sweep: offered loads stepping up until the p99 passes 200 ms.
  private void sweep(ServerProcess server, FastReceiver receiver, String payload) throws Exception {
    if (rawPostCeiling == 0) {
      rawPostCeiling = rawPostCeiling(receiver.url("/ceiling"), payload, new AtomicLong());
    }
    // Measured before the receiver notes arrival times, as the drain phase measures it.
    double warmClientCeiling = warmCeiling(receiver, payload).perSecond();
    ManagedChannel channel = channel(server);
    try {
      OfferedLoad load = new OfferedLoad(server, channel, receiver, "bench-latency");
      // The latency phase's webhook and warm server, or the same made here.
      if (!PHASES.contains("latency")) {
        WebhookServiceGrpc.newBlockingStub(channel)
            .createWebhook(Requests.webhook("bench-latency", receiver.url("/latency")));
        load.warmUp(LATENCY_WARM_UP);
      }
      receiver.recordTimes(true);
      LoadSweep.run(server, load::offer, rawPostCeiling, warmClientCeiling, results, table);
      receiver.recordTimes(false);
    } finally {
      channel.shutdownNow();
    }
  }

  // 4. One event to 100 webhooks.
  private void fanOut(ServerProcess server, FastReceiver receiver) throws Exception {
    ManagedChannel channel = channel(server);
    try {
      var webhooks = WebhookServiceGrpc.newBlockingStub(channel);
      for (int i = 0; i < 100; i++) {
        webhooks.createWebhook(Requests.webhook("bench-fanout", receiver.url("/fanout/" + i)));
      }
      receiver.reset();
      long start = System.nanoTime();
      IngestStateChangeRequest request = Requests.stateChange("bench-fanout", "fanout").build();
      assertEquals(
          100,
          IngestionServiceGrpc.newBlockingStub(channel)
              .ingestStateChange(request)
              .getDeliveryIdsCount());
      awaitTrue(Duration.ofSeconds(60), () -> receiver.received() >= 100);
      double millis = (System.nanoTime() - start) / 1e6;
      results.put("fanout100_ms", round(millis));
      table.add(
          String.format(
              Locale.ROOT,
              "fan-out to 100 webhooks  %8.1f ms until the last one received",
              millis));
    } finally {
      channel.shutdownNow();
    }
  }

  // 6. Claim latency as the deliveries table grows, on a database of its own.
  private void claimLatency() throws Exception {
    String url = TestDatabases.freshDatabaseUrl();
    Map<String, String> settings =
        Map.of(
            "HERALD_DATABASE_URL",
            url,
            "HERALD_MASTER_KEY",
            HeraldFixture.MASTER_KEY,
            "HERALD_DELIVERY_ENABLED",
            "false");
    // A server started once applies the migrations.
    ServerProcess.start(Path.of(System.getProperty("herald.server.jar")), serverLogs(), settings)
        .close();
    try (Connection connection = DispatcherClaim.connect(url)) {
      Statement sql = connection.createStatement();
      sql.execute(
          "insert into webhooks (id, project_id, url, triggers, active, create_time, update_time) "
              + "values ('00000000-0000-0000-0000-000000000001', 'p', 'http://x', '{bot.state_change}', true, now(), now())");
      sql.execute(
          "insert into events (id, project_id, event_id, bot_id, create_time) "
              + "values ('00000000-0000-0000-0000-000000000002', 'p', 'e', 'b', now())");
      addDeliveries(sql, 10_000, "'PENDING'", "now() - interval '1 minute'");
      double small = medianClaimMillis(connection);
      // To a million rows, a tenth of them due: the rest done, as a long-running table is.
      addDeliveries(sql, 90_000, "'PENDING'", "now() - interval '1 minute'");
      addDeliveries(sql, 900_000, "'SUCCEEDED'", "null");
      sql.execute("analyze deliveries");
      sql.execute("analyze delivery_queue");
      double large = medianClaimMillis(connection);
      Map<String, Object> claim = new LinkedHashMap<>();
      claim.put("rows_10k_ms", round(small));
      claim.put("rows_1m_ms", round(large));
      results.put("claim", claim);
      table.add(
          String.format(
              Locale.ROOT,
              "claim 64 due deliveries  %8.2f ms with 10k rows, %.2f ms with 1M rows (100k due)",
              small,
              large));
      connection.setAutoCommit(false);
      results.put("claim_plan_1m", DispatcherClaim.explain(connection, CLAIM_BATCH));
      connection.rollback();
      connection.setAutoCommit(true);
      queueMetricsAtAMillionPending(url, sql, connection);
    }
  }

  /**
   * The metrics' queue figures with 1,000,000 deliveries pending (100,000 due, 900,000 scheduled
   * for later): the statements behind them, timed in a queue session, and a scrape of a server on
   * that database, which reads them from its background snapshot.
   */
  private void queueMetricsAtAMillionPending(String url, Statement sql, Connection connection)
      throws Exception {
    addDeliveries(sql, 900_000, "'PENDING'", "now() + interval '1 hour'");
    sql.execute("analyze delivery_queue");
    long[] micros = new long[11];
    long[] found = null;
    for (int i = 0; i < micros.length; i++) {
      long start = System.nanoTime();
      found = DispatcherClaim.queueStatistics(connection);
      micros[i] = (System.nanoTime() - start) / 1000;
    }
    double statementsMillis = new Percentiles(micros).millis(50);
    int httpPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      httpPort = socket.getLocalPort();
    }
    Map<String, String> settings =
        Map.of(
            "HERALD_DATABASE_URL",
            url,
            "HERALD_MASTER_KEY",
            HeraldFixture.MASTER_KEY,
            "HERALD_DELIVERY_ENABLED",
            "false",
            "HERALD_HTTP_PORT",
            Integer.toString(httpPort));
    double scrapeMillis;
    double scrapedDue;
    try (ServerProcess server =
        ServerProcess.start(
            Path.of(System.getProperty("herald.server.jar")), serverLogs(), settings)) {
      awaitTrue(
          Duration.ofSeconds(60),
          () -> Scrapes.value(Scrapes.metrics(httpPort), "herald_queue_due_deliveries") > 0);
      long[] scrapes = new long[21];
      String scrape = "";
      for (int i = 0; i < scrapes.length; i++) {
        long start = System.nanoTime();
        scrape = Scrapes.metrics(httpPort);
        scrapes[i] = (System.nanoTime() - start) / 1000;
      }
      scrapeMillis = new Percentiles(scrapes).millis(50);
      scrapedDue = Scrapes.value(scrape, "herald_queue_due_deliveries");
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("pending", 1_000_000);
    metrics.put("statistics_ms", round(statementsMillis));
    metrics.put("scrape_ms", round(scrapeMillis));
    metrics.put("due_counted", found[0]);
    metrics.put("scheduled_counted", found[2]);
    results.put("metrics_1m_pending", metrics);
    table.add(
        String.format(
            Locale.ROOT,
            "queue metrics, 1M pending    %8.2f ms to read (every 5 s, in the background), scrape %.2f ms; due %.0f (counted to 100k)",
            statementsMillis,
            scrapeMillis,
            scrapedDue));
  }

  /** The batch a claim is timed at. */
  private static final int CLAIM_BATCH = 64;

  private static void addDeliveries(Statement sql, int count, String status, String due)
      throws SQLException {
    sql.execute(
        "with made as (select gen_random_uuid() id, "
            + status
            + " status, ("
            + due
            + ")::timestamptz due "
            + "from generate_series(1, "
            + count
            + ")), "
            + "recorded as (insert into deliveries (id, event_id, webhook_id, project_id, bot_id, idempotency_key, "
            + "payload, status, create_time) select id, '00000000-0000-0000-0000-000000000002', "
            + "'00000000-0000-0000-0000-000000000001', 'p', 'b', gen_random_uuid(), '{}', "
            + "case when status = 'FAILED' then status end, now() from made) "
            + "insert into delivery_queue (delivery_id, webhook_id, next_attempt_time, delivery_create_time) "
            + "select id, '00000000-0000-0000-0000-000000000001', due, now() from made where status = 'PENDING'");
  }

  /**
   * The claim the dispatcher runs, batch of 64, each in a transaction rolled back so the next finds
   * the same rows.
   */
  static double medianClaimMillis(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    long[] micros = new long[51];
    try {
      for (int i = 0; i < micros.length; i++) {
        long start = System.nanoTime();
        DispatcherClaim.claim(connection, CLAIM_BATCH);
        micros[i] = (System.nanoTime() - start) / 1000;
        connection.rollback();
      }
    } finally {
      connection.setAutoCommit(true);
    }
    return new Percentiles(micros).millis(50);
  }

  // Plumbing.

  private interface Call {
    void start(long n, Runnable done);
  }

  private record Run(long completed, Duration took, Percentiles latencies) {
    double perSecond() {
      return completed / (took.toNanos() / 1e9);
    }
  }

  /** Keeps {@code inFlight} calls going: a warm-up, then {@code measure} of counted calls. */
  private static Run timeBoxed(int inFlight, Duration warmUp, Duration measure, Call call)
      throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    long warmUpEnd = System.nanoTime() + warmUp.toNanos();
    long end = warmUpEnd + measure.toNanos();
    AtomicLong completed = new AtomicLong();
    long n = 0;
    while (System.nanoTime() < end) {
      slots.acquire();
      long started = System.nanoTime();
      call.start(
          n++,
          () -> {
            long finished = System.nanoTime();
            if (started >= warmUpEnd && finished <= end) {
              latencies.add((finished - started) / 1000);
              completed.incrementAndGet();
            }
            slots.release();
          });
    }
    slots.acquire(inFlight);
    return new Run(
        completed.get(),
        measure,
        new Percentiles(latencies.stream().mapToLong(Long::longValue).toArray()));
  }

  private long pendingIn(String project) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement count =
            connection.prepareStatement(
                "select count(*) from delivery_queue q join webhooks w on w.id = q.webhook_id"
                    + " where w.project_id = ?")) {
      count.setString(1, project);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(Duration timeout, BooleanSupplier condition) {
    Eventually.await("the benchmark phase", timeout, condition::getAsBoolean, done -> done);
  }

  private static ManagedChannel channel(ServerProcess server) {
    return HeraldFixture.channel(server.port, HeraldFixture.ADMIN_TOKEN);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private void report() throws Exception {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memory_mb", memoryMb());
    machine.put(
        "jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        ResultSet version = connection.createStatement().executeQuery("show server_version")) {
      version.next();
      machine.put(
          "postgresql",
          version.getString(1) + (TestDatabases.usingExternal() ? " (external)" : " (embedded)"));
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("date", Instant.now().toString());
    document.put("machine", machine);
    document.put("vacuum_and_checkpoint_between_phases", SETTLE);
    document.putAll(results);
    Path out = Path.of(System.getProperty("herald.bench.dir"), "results.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, Json.write(document) + "\n");

    System.out.println();
    System.out.println(
        "Herald benchmark, "
            + machine
            + (SETTLE
                ? ""
                : ", no vacuum or checkpoint between phases (-Dherald.bench.settle=false)"));
    table.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "peak server RSS          %8.1f MB%n", peakRssMb);
    System.out.println("results: " + out);
    System.out.println(results.get("claim_plan_1m"));
  }

  private static long memoryMb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }
}
