package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback. */
class WebhookSenderTest {
  private HttpServer server;
  private final Map<String, String> seenHeaders = new ConcurrentHashMap<>();
  private WebhookSender sender;
  private final java.util.concurrent.ScheduledExecutorService timer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/ok", exchange -> {
      exchange.getRequestHeaders().forEach((k, v) -> seenHeaders.put(k.toLowerCase(), v.get(0)));
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    server.createContext("/endless", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, 0);
      byte[] chunk = new byte[8192];
      java.util.Arrays.fill(chunk, (byte) 'x');
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < 1_000_000; i++) {
          out.write(chunk);
        }
      } catch (IOException clientHungUp) {
        // expected: the sender stops reading after its cap
      }
    });
    server.createContext("/trickle", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < 50; i++) {
          out.write('x');
          out.flush();
          TimeUnit.MILLISECONDS.sleep(100);
        }
      } catch (IOException | InterruptedException clientHungUp) {
        // expected: the sender gives up at its deadline
      }
    });
    server.start();
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    sender = new WebhookSender(client, new PrivateNetworkGuard(true), Duration.ofSeconds(5), Clock.systemUTC(), timer);
  }

  @AfterEach
  void stop() {
    server.stop(0);
    timer.shutdownNow();
  }

  @Test
  void givesUpOnABodyTrickledPastTheTimeout() throws InterruptedException {
    WebhookSender impatient =
        new WebhookSender(HttpClient.newHttpClient(), new PrivateNetworkGuard(true), Duration.ofMillis(700), Clock.systemUTC(), timer);
    DeliveryAttempt attempt = impatient.send(claim("/trickle", UUID.randomUUID()));

    assertEquals("timeout", attempt.error());
    assertTrue(attempt.duration().compareTo(Duration.ofSeconds(2)) < 0, attempt.duration().toString());
  }

  @Test
  void postsTheBodyWithBothSignatures() throws InterruptedException {
    UUID key = UUID.randomUUID();
    DeliveryAttempt attempt = sender.send(claim("/ok", key));

    assertTrue(attempt.succeeded());
    assertEquals(202, attempt.responseStatusCode());
    assertEquals(1, attempt.attemptNumber());
    assertEquals(key.toString(), seenHeaders.get("webhook-id"));
    assertTrue(seenHeaders.get("webhook-signature").startsWith("v1,"));
    assertEquals(44, seenHeaders.get("x-webhook-signature").length());
    assertEquals("application/json", seenHeaders.get("content-type"));
  }

  @Test
  void stopsReadingAnEndlessBodyAtTheCap() throws InterruptedException {
    DeliveryAttempt attempt = sender.send(claim("/endless", UUID.randomUUID()));

    assertEquals(200, attempt.responseStatusCode());
    assertEquals(WebhookSender.RESPONSE_BODY_CAP, attempt.responseBody().length());
    assertTrue(attempt.duration().compareTo(Duration.ofSeconds(5)) < 0, attempt.duration().toString());
  }

  @Test
  void refusesAPrivateAddressWhenPrivateNetworksAreNotAllowed() throws InterruptedException {
    WebhookSender guarded =
        new WebhookSender(HttpClient.newHttpClient(), new PrivateNetworkGuard(false), Duration.ofSeconds(5), Clock.systemUTC(), timer);
    DeliveryAttempt attempt = guarded.send(claim("/ok", UUID.randomUUID()));

    assertEquals("blocked_address", attempt.error());
    assertEquals(0, attempt.responseStatusCode());
    assertTrue(seenHeaders.isEmpty());
  }

  private ClaimedDelivery claim(String path, UUID key) {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
    return new ClaimedDelivery(
        UUID.randomUUID(), UUID.randomUUID(), key, UUID.randomUUID(), "proj", url, "{\"a\":1}", 0, 0, java.util.List.of(new byte[32]));
  }
}
