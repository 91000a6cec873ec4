package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.herald.testing.Eventually;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback. */
class UnwokenHousekeepingTest {
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.createContext(
        "/body",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 2);
          exchange.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void connectionsAreReusedWhileKeptAndClosedOnceIdlePastTheirKeepAlive() throws Exception {
    ConnectionPool pool = UnwokenHousekeeping.pool(4, Duration.ofMillis(200));
    OkHttpClient client = new OkHttpClient.Builder().connectionPool(pool).build();
    for (int i = 0; i < 5; i++) {
      get(client);
    }
    assertEquals(1, pool.connectionCount(), "one connection, reused");

    Eventually.until("the idle connection closed", () -> pool.connectionCount() == 0);
  }

  @Test
  void idleConnectionsBeyondTheMostKeptAreClosed() throws Exception {
    ConnectionPool pool = UnwokenHousekeeping.pool(1, Duration.ofMinutes(5));
    OkHttpClient client = new OkHttpClient.Builder().connectionPool(pool).build();
    // Each response's body, unread, holds its connection.
    try (Response first = client.newCall(request("/body")).execute();
        Response second = client.newCall(request("/body")).execute()) {
      assertEquals(2, pool.connectionCount(), "two connections, both in use");
    }

    Eventually.until(
        "the connection beyond the one kept closed", () -> pool.connectionCount() == 1);
  }

  private void get(OkHttpClient client) throws IOException {
    try (Response response = client.newCall(request("/")).execute()) {
      assertEquals(204, response.code());
    }
  }

  private Request request(String path) {
    return new Request.Builder()
        .url("http://127.0.0.1:" + server.getAddress().getPort() + path)
        .build();
  }
}
