package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real HTTP server on loopback.
 *
 * <p>Past 250 lines as one class because each outcome a receiver can give is one case against the
 * same loopback server.
 */
class WebhookSenderTest {
  private HttpServer server;
  private final Map<String, String> seenHeaders = new ConcurrentHashMap<>();
  private final List<String> seenPaths = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicLong endlessBytesWritten = new AtomicLong();
  private final CountDownLatch released = new CountDownLatch(1);
  private WebhookSender sender;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/ok",
        exchange -> {
          exchange
              .getRequestHeaders()
              .forEach((k, v) -> seenHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
          seenPaths.add(exchange.getRequestURI().getPath());
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
        });
    server.createContext(
        "/endless",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[8192];
          java.util.Arrays.fill(chunk, (byte) 'x');
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 1_000_000; i++) {
              out.write(chunk);
              endlessBytesWritten.addAndGet(chunk.length);
            }
          } catch (IOException clientHungUp) {
            // expected: the sender stops reading after its cap
          }
        });
    server.createContext(
        "/silent",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          try {
            released.await(); // never answers while the test runs
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.createContext(
        "/trickle",
        exchange -> {
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
    sender = sender(true, HostResolver.system(), Duration.ofSeconds(5));
  }

  private static WebhookSender sender(
      boolean allowPrivate, HostResolver resolver, Duration timeout) {
    PrivateNetworkGuard guard = new PrivateNetworkGuard(allowPrivate, resolver);
    return new WebhookSender(DeliveryHttpClient.create(guard, timeout, 4), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    released.countDown();
    server.stop(0);
  }

  @Test
  void givesUpOnABodyTrickledPastTheTimeout() throws InterruptedException {
    WebhookSender impatient = sender(true, HostResolver.system(), Duration.ofMillis(700));
    DeliveryAttempt attempt = impatient.send(claim("/trickle", UUID.randomUUID()));

    assertEquals("timeout", attempt.error());
    assertTrue(
        attempt.duration().compareTo(Duration.ofSeconds(2)) < 0, attempt.duration().toString());
  }

  @Test
  void givesUpOnAReceiverThatNeverAnswers() throws InterruptedException {
    WebhookSender impatient = sender(true, HostResolver.system(), Duration.ofMillis(700));
    DeliveryAttempt attempt =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> impatient.send(claim("/silent", UUID.randomUUID())));

    assertEquals("timeout", attempt.error());
    assertTrue(
        attempt.duration().compareTo(Duration.ofSeconds(2)) < 0, attempt.duration().toString());
  }

  /**
   * A listener whose queue of connections waiting to be accepted is full: Linux drops the SYNs of
   * any more, so a connect to it never completes.
   */
  @Test
  void givesUpOnAConnectionThatIsNeverAccepted() throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> waiting = new ArrayList<>();
      try {
        while (waiting.size() < 16) {
          Socket socket = new Socket();
          waiting.add(socket);
          try {
            socket.connect(full.getLocalSocketAddress(), 200);
          } catch (SocketTimeoutException queueFull) {
            break;
          }
        }
        WebhookSender impatient = sender(true, HostResolver.system(), Duration.ofMillis(700));
        String url = "http://127.0.0.1:" + full.getLocalPort() + "/ok";
        DeliveryAttempt attempt =
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> impatient.send(claimTo(url)));

        assertEquals("timeout", attempt.error());
        assertTrue(
            attempt.duration().compareTo(Duration.ofSeconds(2)) < 0, attempt.duration().toString());
      } finally {
        for (Socket socket : waiting) {
          socket.close();
        }
      }
    }
  }

  /**
   * A JVM-wide proxy setting would route deliveries around the guard's socket check (the socket
   * would connect to the proxy, the proxy anywhere): the client must ignore it.
   */
  @Test
  @SuppressWarnings("AddressSelection") // a proxy address for a selector, never resolved
  void ignoresTheJvmsProxySettings() throws Exception {
    int deadPort;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      deadPort = closed.getLocalPort();
    }
    java.net.ProxySelector original = java.net.ProxySelector.getDefault();
    // Every URL through a proxy that is not there, loopback included (the JVM's default selector
    // would pass loopback by, and so could not show anything here).
    java.net.ProxySelector.setDefault(
        java.net.ProxySelector.of(new InetSocketAddress("127.0.0.1", deadPort)));
    try {
      DeliveryAttempt attempt =
          sender(true, HostResolver.system(), Duration.ofSeconds(5))
              .send(claim("/ok", UUID.randomUUID()));
      assertEquals(
          202, attempt.responseStatusCode(), "straight to the receiver: " + attempt.error());
    } finally {
      java.net.ProxySelector.setDefault(original);
    }
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
    assertTrue(
        attempt.duration().compareTo(Duration.ofSeconds(5)) < 0, attempt.duration().toString());
    // The connection is dropped, not drained: the receiver gets no further than socket buffers.
    assertTrue(endlessBytesWritten.get() < 64L << 20, endlessBytesWritten + " bytes written");
  }

  @Test
  void refusesAPrivateAddressWhenPrivateNetworksAreNotAllowed() throws InterruptedException {
    WebhookSender guarded = sender(false, HostResolver.system(), Duration.ofSeconds(5));
    DeliveryAttempt attempt = guarded.send(claim("/ok", UUID.randomUUID()));

    assertEquals("blocked_address", attempt.error());
    assertEquals(0, attempt.responseStatusCode());
    assertTrue(seenHeaders.isEmpty());
  }

  @Test
  void connectsOnlyToTheAddressesItChecked() throws Exception {
    // Public on the first lookup, loopback (where the receiver listens) on every later one.
    AtomicInteger lookups = new AtomicInteger();
    HostResolver rebinding =
        host ->
            List.of(
                lookups.getAndIncrement() == 0
                    ? InetAddress.getByName("93.184.215.14")
                    : InetAddress.getLoopbackAddress());
    WebhookSender guarded = sender(false, rebinding, Duration.ofSeconds(1));
    String url = "http://rebinding.example:" + server.getAddress().getPort() + "/ok";
    for (int attempt = 0; attempt < 3; attempt++) {
      DeliveryAttempt result = guarded.send(claimTo(url));
      assertTrue(!result.succeeded(), result.toString());
    }
    assertTrue(seenHeaders.isEmpty(), "the receiver on loopback was contacted");
    assertTrue(lookups.get() >= 2, "later attempts looked the name up again");
  }

  @Test
  void aNameThatResolvesToAnyPrivateAddressIsBlocked() throws Exception {
    HostResolver mixed =
        host -> List.of(InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.1.2.3"));
    DeliveryAttempt attempt =
        sender(false, mixed, Duration.ofSeconds(1)).send(claimTo("http://mixed.example/ok"));
    assertEquals("blocked_address", attempt.error());
  }

  /** URLs are parsed once and kept: a kept parse serves the next attempt, bad URLs included. */
  @Test
  void sendsEachAttemptToItsOwnUrlAndRefusesOneItCannotParse() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      assertEquals(202, sender.send(claim("/ok", UUID.randomUUID())).responseStatusCode());
      assertEquals(202, sender.send(claim("/ok/other", UUID.randomUUID())).responseStatusCode());
      DeliveryAttempt unparsable = sender.send(claimTo("http://exa mple.com/hook"));
      assertEquals("invalid url", unparsable.error());
      assertEquals(0, unparsable.responseStatusCode());
    }
    assertEquals(List.of("/ok", "/ok/other", "/ok", "/ok/other"), seenPaths);
  }

  private ClaimedDelivery claim(String path, UUID key) {
    return claimTo("http://127.0.0.1:" + server.getAddress().getPort() + path, key);
  }

  private static ClaimedDelivery claimTo(String url) {
    return claimTo(url, UUID.randomUUID());
  }

  private static ClaimedDelivery claimTo(String url, UUID key) {
    return new ClaimedDelivery(
        UUID.randomUUID(),
        UUID.randomUUID(),
        key,
        UUID.randomUUID(),
        "proj",
        "bot",
        url,
        "{\"a\":1}",
        0,
        0,
        dev.herald.testing.TestSigning.hmacOnly("proj"),
        Instant.now(),
        false,
        java.util.OptionalInt.empty(),
        false);
  }
}
