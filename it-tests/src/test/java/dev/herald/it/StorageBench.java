package dev.herald.it;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Bytes on disk per delivery: events, deliveries, attempts and the queue, with their indexes and
 * TOAST, for the README's example event delivered at the first attempt, to one webhook and fanned
 * out to 100. Each on a database of its own, measured after a vacuum, once every delivery is done.
 */
final class StorageBench {
  private static final int DELIVERIES = 20_000;
  private static final int IN_FLIGHT = 64;
  private static final double TARGET_ONE = 1_000;
  private static final double TARGET_FAN_OUT = 500;

  /** The tables a delivery's rows are in, by their parents' names. */
  private static final List<String> TABLES =
      List.of("events", "deliveries", "delivery_attempts", "delivery_queue");

  private final Path jar;
  private final Path workDir;
  private final Map<String, String> settings;
  private final FastReceiver receiver;

  StorageBench(Path jar, Path workDir, Map<String, String> settings, FastReceiver receiver) {
    this.jar = jar;
    this.workDir = workDir;
    this.settings = settings;
    this.receiver = receiver;
  }

  /** Runs both rows; adds them to {@code results} and {@code table}. */
  void run(Map<String, Object> results, List<String> table) throws Exception {
    Map<String, Object> storage = new LinkedHashMap<>();
    for (int webhooks : new int[] {1, 100}) {
      Map<String, Double> bytes = bytesPerDelivery(webhooks);
      double total = bytes.values().stream().mapToDouble(Double::doubleValue).sum();
      double target = webhooks == 1 ? TARGET_ONE : TARGET_FAN_OUT;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("bytes_per_delivery", Math.round(total));
      bytes.forEach((name, value) -> row.put(name, Math.round(value)));
      row.put("target", target);
      row.put("met", total <= target);
      storage.put(webhooks == 1 ? "one_webhook" : "fanout100", row);
      table.add(
          String.format(
              Locale.ROOT,
              "storage, %3d webhook%s   %8.0f bytes/delivery (events %.0f, deliveries %.0f,"
                  + " attempts %.0f, queue %.0f)  target <= %.0f: %s",
              webhooks,
              webhooks == 1 ? " " : "s",
              total,
              bytes.get("events"),
              bytes.get("deliveries"),
              bytes.get("delivery_attempts"),
              bytes.get("delivery_queue"),
              target,
              total <= target ? "met" : "not met"));
    }
    results.put("storage", storage);
  }

  /** Each table's bytes per delivery, the empty database's subtracted. */
  private Map<String, Double> bytesPerDelivery(int webhooks) throws Exception {
    String url = TestDatabases.freshDatabaseUrl();
    Map<String, String> own = new HashMap<>(settings);
    own.put("HERALD_DATABASE_URL", url);
    String project = "bench-storage-" + webhooks;
    Map<String, Long> empty;
    try (ServerProcess server = ServerProcess.start(jar, workDir, own)) {
      ManagedChannel channel = HeraldFixture.channel(server.port, HeraldFixture.ADMIN_TOKEN);
      try {
        for (int i = 0; i < webhooks; i++) {
          WebhookServiceGrpc.newBlockingStub(channel)
              .createWebhook(Requests.webhook(project, receiver.url("/storage/" + i)));
        }
        empty = sizes(url);
        receiver.reset();
        ingest(channel, project, DELIVERIES / webhooks);
        Eventually.await(
            "every delivery to be done",
            Duration.ofMinutes(2),
            () -> receiver.received() >= DELIVERIES && queued(url) == 0,
            done -> done);
      } finally {
        channel.shutdownNow();
      }
    }
    Map<String, Long> full = sizes(url);
    Map<String, Double> perDelivery = new LinkedHashMap<>();
    for (String table : TABLES) {
      perDelivery.put(table, (full.get(table) - empty.get(table)) / (double) DELIVERIES);
    }
    return perDelivery;
  }

  /** The README's example event, each with an event id of its own. */
  private static void ingest(ManagedChannel channel, String project, int events)
      throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    Struct metadata =
        Struct.newBuilder()
            .putFields("customer", Value.newBuilder().setStringValue("acme").build())
            .build();
    for (int n = 0; n < events; n++) {
      slots.acquire();
      IngestionServiceGrpc.newStub(channel)
          .ingestStateChange(
              Requests.stateChange(project, "bot_123")
                  .setBotMetadata(metadata)
                  .setEventId(String.format(Locale.ROOT, "evt_%07d", n))
                  .build(),
              new StreamObserver<IngestStateChangeResponse>() {
                @Override
                public void onNext(IngestStateChangeResponse value) {}

                @Override
                public void onError(Throwable t) {
                  slots.release();
                  throw new IllegalStateException("ingest failed", t);
                }

                @Override
                public void onCompleted() {
                  slots.release();
                }
              });
    }
    slots.acquire(IN_FLIGHT);
  }

  private static long queued(String url) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("select count(*) from delivery_queue")) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Each table's bytes on disk, heap, indexes and TOAST, over its partitions, after a vacuum that
   * leaves what a delivered row keeps.
   */
  private static Map<String, Long> sizes(String url) throws SQLException {
    Map<String, Long> sizes = new LinkedHashMap<>();
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute("vacuum (analyze)");
      for (String table : TABLES) {
        try (ResultSet row =
            statement.executeQuery(
                // A table that is not partitioned has no tree: its own size.
                ("select coalesce((select sum(pg_total_relation_size(relid))"
                        + " from pg_partition_tree('%1$s') where isleaf),"
                        + " pg_total_relation_size('%1$s'))")
                    .formatted(table))) {
          row.next();
          sizes.put(table, row.getLong(1));
        }
      }
    }
    return sizes;
  }
}
