package dev.herald.it;

import com.google.inject.Module;
import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.server.ConfigLoader;
import dev.herald.server.Herald;
import dev.herald.testing.Eventually;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The production server, started in this JVM from the same settings an operator would give it, on a
 * fresh database, called over real gRPC on TCP.
 */
final class HeraldFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** One key for every test server, so a restarted server reads what the first one stored. */
  static final String MASTER_KEY = "ZGV2LWhlcmFsZC10ZXN0LW1hc3Rlci1rZXktMzJieXQ=";

  /** The global admin key's token every test server is configured with. */
  static final String ADMIN_TOKEN = "hrld_global-admin-token-of-every-test-server";

  /** Settings for tests: short timeouts and delays, loopback receivers allowed. */
  static Map<String, String> testSettings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("HERALD_GRPC_PORT", "0");
    settings.put("HERALD_HTTP_PORT", "0");
    settings.put("HERALD_REQUIRE_HTTPS", "false");
    settings.put("HERALD_ALLOW_PRIVATE_NETWORKS", "true");
    settings.put("HERALD_DELIVERY_TIMEOUT_MS", "1000");
    settings.put("HERALD_RETRY_INITIAL_DELAY_MS", "200");
    settings.put("HERALD_DELIVERY_POLL_INTERVAL_MS", "250");
    settings.put("HERALD_MASTER_KEY", MASTER_KEY);
    settings.put("HERALD_ADMIN_TOKEN", ADMIN_TOKEN);
    return settings;
  }

  final String jdbcUrl;
  private final Herald herald;
  private final ManagedChannel channel;
  private final TestClock clock;

  private HeraldFixture(String jdbcUrl, Herald herald, String token, TestClock clock) {
    this.jdbcUrl = jdbcUrl;
    this.herald = herald;
    this.channel = channel(herald.port(), token);
    this.clock = clock;
  }

  /** The clock the server lives by: the real time, unless the test moves it on. */
  TestClock clock() {
    return clock;
  }

  /** A plaintext channel to {@code port} that sends {@code token} as its bearer token, if any. */
  static ManagedChannel channel(int port, String token) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("localhost", port).usePlaintext();
    if (token != null) {
      builder.intercept(bearer(token));
    }
    return builder.build();
  }

  static ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  static HeraldFixture start() {
    return start(testSettings());
  }

  /** A server with the test settings on the database at {@code jdbcUrl}, as it stands. */
  static HeraldFixture startOn(String jdbcUrl) {
    Map<String, String> settings = testSettings();
    settings.put("HERALD_DATABASE_URL", jdbcUrl);
    return start(settings);
  }

  /**
   * Starts on a fresh database unless {@code settings} names one; {@code overrides} replace
   * production bindings, as {@link Herald#start} allows.
   */
  static HeraldFixture start(Map<String, String> settings, Module... overrides) {
    TestTls.get();
    Map<String, String> effective = new HashMap<>(settings);
    effective.computeIfAbsent("HERALD_DATABASE_URL", k -> TestDatabases.freshDatabaseUrl());
    TestClock clock = new TestClock();
    Module[] bindings = Arrays.copyOf(overrides, overrides.length + 1);
    bindings[overrides.length] = clock.module();
    Herald herald = Herald.start(ConfigLoader.load(effective), bindings);
    return new HeraldFixture(
        effective.get("HERALD_DATABASE_URL"), herald, effective.get("HERALD_ADMIN_TOKEN"), clock);
  }

  /**
   * Starts with the default embedded PostgreSQL, keeping its files under {@code HERALD_DATA_DIR}.
   */
  static HeraldFixture startEmbedded(Map<String, String> settings) {
    TestTls.get();
    TestClock clock = new TestClock();
    return new HeraldFixture(
        null,
        Herald.start(ConfigLoader.load(settings), clock.module()),
        settings.get("HERALD_ADMIN_TOKEN"),
        clock);
  }

  /** A channel authorised with the configured admin token. */
  ManagedChannel channel() {
    return channel;
  }

  int port() {
    return herald.port();
  }

  int httpPort() {
    return herald.httpPort();
  }

  WebhookServiceGrpc.WebhookServiceBlockingStub webhooks() {
    return WebhookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  IngestionServiceGrpc.IngestionServiceBlockingStub ingestion() {
    return IngestionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys() {
    return ApiKeyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ApiKeyServiceGrpc.ApiKeyServiceBlockingStub apiKeys() {
    return ApiKeyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
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

  /**
   * The delivery once attempt {@code attempts} is listed and its retry scheduled after it. (A read
   * may list the attempt before it shows the new due time: attempts are read in a second query.)
   */
  Delivery awaitRetryScheduled(String deliveryId, int attempts) {
    return Eventually.await(
        "delivery " + deliveryId + " to have attempt " + attempts + " and its retry scheduled",
        WAIT,
        () -> delivery(deliveryId),
        d ->
            d.getAttemptsCount() >= attempts
                && d.hasNextAttemptTime()
                && !Requests.instant(d.getNextAttemptTime())
                    .isBefore(Requests.instant(d.getAttempts(attempts - 1).getStartTime())));
  }

  Delivery awaitAttempts(String deliveryId, int attempts) {
    return Eventually.await(
        "delivery " + deliveryId + " to have " + attempts + " attempts",
        WAIT,
        () -> delivery(deliveryId),
        d -> d.getAttemptsCount() >= attempts);
  }

  /**
   * Every row of every table of Herald's schema, as text, to show that a refused call changed
   * nothing. Tables are found in the catalog, so a table added later is covered too.
   */
  Map<String, List<String>> snapshot() {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      List<String> names = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "select tablename from pg_tables where schemaname = current_schema()"
                  + " and tablename not like 'flyway%'")) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      for (String table : names) {
        List<String> contents = new ArrayList<>();
        try (ResultSet rows =
            statement.executeQuery("select t::text from " + table + " t order by 1")) {
          while (rows.next()) {
            contents.add(rows.getString(1));
          }
        }
        tables.put(table, contents);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return tables;
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
