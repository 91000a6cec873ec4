package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server's database refuses new connections (connections disallowed, its sessions ended):
 * calls, the authentication of a key not seen before among them, fail as UNAVAILABLE with a
 * correlation id within their deadline, health and /readyz say NOT_SERVING, and all of it comes
 * back once the database does, without a restart.
 */
class DatabaseUnavailableIT {
  private static final String NEW_TOKEN = "hrld_a-project-key-the-server-has-not-seen-yet";

  @Test
  void callsFailAsUnavailableWhileTheDatabaseRefusesConnectionsAndRecoverAfter() throws Exception {
    try (HeraldFixture herald = HeraldFixture.start();
        Connection admin = DriverManager.getConnection(TestDatabases.adminUrl());
        Statement statement = admin.createStatement()) {
      String database;
      try (Connection server = DriverManager.getConnection(herald.jdbcUrl)) {
        database = server.getCatalog();
      }
      ManagedChannel newKey = HeraldFixture.channel(herald.port(), NEW_TOKEN);
      try {
        refuseConnections(statement, database, true);

        long start = System.nanoTime();
        StatusRuntimeException authenticating =
            assertThrows(StatusRuntimeException.class, () -> list(newKey));
        assertUnavailable(authenticating);
        StatusRuntimeException ingesting =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    herald
                        .ingestion()
                        .ingestStateChange(Requests.stateChange("proj-down", "bot").build()));
        assertUnavailable(ingesting);
        assertTrue(
            System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20),
            "both answered within their deadlines");
        Eventually.await(
            "health to say NOT_SERVING",
            Duration.ofSeconds(30),
            () -> health(herald),
            status -> status == HealthCheckResponse.ServingStatus.NOT_SERVING);
        assertEquals(503, Scrapes.get(herald.httpPort(), "/readyz").statusCode());
        assertEquals(
            200,
            Scrapes.get(herald.httpPort(), "/livez").statusCode(),
            "alive: a restart would not help");
        assertEquals(0, Scrapes.value(Scrapes.metrics(herald.httpPort()), "herald_database_up"));

        refuseConnections(statement, database, false);
        Eventually.await(
            "calls to work again",
            Duration.ofSeconds(30),
            () -> {
              try {
                return herald
                        .webhooks()
                        .listWebhooks(ListWebhooksRequest.newBuilder().setProjectId("p").build())
                    != null;
              } catch (StatusRuntimeException e) {
                return false;
              }
            },
            worked -> worked);
        Eventually.await(
            "health to say SERVING again",
            Duration.ofSeconds(30),
            () -> health(herald),
            status -> status == HealthCheckResponse.ServingStatus.SERVING);
        assertEquals(200, Scrapes.get(herald.httpPort(), "/readyz").statusCode());
        StatusRuntimeException unknown =
            assertThrows(StatusRuntimeException.class, () -> list(newKey));
        assertEquals(
            Status.Code.UNAUTHENTICATED, unknown.getStatus().getCode(), "looked up, and not found");
      } finally {
        newKey.shutdownNow();
        refuseConnections(statement, database, false);
      }
    }
  }

  private static HealthCheckResponse.ServingStatus health(HeraldFixture herald) {
    return HealthGrpc.newBlockingStub(herald.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  private static Object list(ManagedChannel channel) {
    return WebhookServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .listWebhooks(ListWebhooksRequest.newBuilder().setProjectId("p").build());
  }

  private static void assertUnavailable(StatusRuntimeException e) {
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        e.getStatus().getDescription().contains("correlation id"), e.getStatus().getDescription());
  }

  /** As the database's owner, from another database: no new sessions, and its sessions ended. */
  private static void refuseConnections(Statement statement, String database, boolean refuse)
      throws SQLException {
    statement.execute("alter database \"" + database + "\" allow_connections " + !refuse);
    if (refuse) {
      statement.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
              + database
              + "'");
    }
  }
}
