package dev.herald.it;

import com.google.inject.Module;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.server.ConfigLoader;
import dev.herald.server.Herald;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The production server, started in this JVM from the same settings an operator would give it,
 * on a fresh database, called over real gRPC on TCP.
 */
final class HeraldFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  /** One key for every test server, so a restarted server reads what the first one stored. */
  static final String MASTER_KEY = "ZGV2LWhlcmFsZC10ZXN0LW1hc3Rlci1rZXktMzJieXQ=";

  /** Settings for tests: short timeouts and delays, loopback receivers allowed. */
  static Map<String, String> testSettings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("HERALD_GRPC_PORT", "0");
    settings.put("HERALD_REQUIRE_HTTPS", "false");
    settings.put("HERALD_ALLOW_PRIVATE_NETWORKS", "true");
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "1000");
    settings.put("HERALD_RETRY_INITIAL_DELAY_MS", "200");
    settings.put("HERALD_DELIVERY_POLL_INTERVAL_MS", "250");
    settings.put("HERALD_MASTER_KEY", MASTER_KEY);
    return settings;
  }

  final String jdbcUrl;
  private final Herald herald;
  private final ManagedChannel channel;

  private HeraldFixture(String jdbcUrl, Herald herald) {
    this.jdbcUrl = jdbcUrl;
    this.herald = herald;
    this.channel = NettyChannelBuilder.forAddress("localhost", herald.port()).usePlaintext().build();
  }

  static HeraldFixture start() {
    return start(testSettings());
  }

  /**
   * Starts on a fresh database unless {@code settings} names one; {@code overrides} replace
   * production bindings, as {@link Herald#start} allows.
   */
  static HeraldFixture start(Map<String, String> settings, Module... overrides) {
    TestTls.get();
    Map<String, String> effective = new HashMap<>(settings);
    effective.computeIfAbsent("HERALD_DATABASE_URL", k -> TestDatabases.freshDatabaseUrl());
    Herald herald = Herald.start(ConfigLoader.load(effective), overrides);
    return new HeraldFixture(effective.get("HERALD_DATABASE_URL"), herald);
  }

  /** Starts with the default embedded PostgreSQL, keeping its files under {@code HERALD_DATA_DIR}. */
  static HeraldFixture startEmbedded(Map<String, String> settings) {
    TestTls.get();
    return new HeraldFixture(null, Herald.start(ConfigLoader.load(settings)));
  }

  ManagedChannel channel() {
    return channel;
  }

  WebhookServiceGrpc.WebhookServiceBlockingStub webhooks() {
    return WebhookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  IngestionServiceGrpc.IngestionServiceBlockingStub ingestion() {
    return IngestionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  DeliveryServiceGrpc.DeliveryServiceBlockingStub deliveries() {
    return DeliveryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  Delivery delivery(String id) {
    return deliveries().getDelivery(GetDeliveryRequest.newBuilder().setId(id).build());
  }

  Delivery awaitStatus(String deliveryId, DeliveryStatus status) {
    return Eventually.await(
        "delivery " + deliveryId + " to be " + status,
        WAIT,
        () -> delivery(deliveryId),
        d -> d.getStatus() == status);
  }

  Delivery awaitAttempts(String deliveryId, int attempts) {
    return Eventually.await(
        "delivery " + deliveryId + " to have " + attempts + " attempts",
        WAIT,
        () -> delivery(deliveryId),
        d -> d.getAttemptsCount() >= attempts);
  }

  /** Row counts of every table, to show that a refused call stored nothing. */
  Map<String, Long> rowCounts() {
    Map<String, Long> counts = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      for (String table :
          new String[] {"webhooks", "events", "deliveries", "delivery_attempts", "signing_secrets"}) {
        try (ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
          rows.next();
          counts.put(table, rows.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return counts;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    herald.close();
  }
}
