package dev.herald.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.herald.testing.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver: a real HTTP or HTTPS server on loopback that records every request and
 * answers as each path is told to.
 */
final class Receiver implements AutoCloseable {

  /** How to answer the n-th request (0-based) to a path. */
  interface Behaviour {
    Reply reply(int requestIndex);

    /** How to answer this request, the n-th to its path; by its index unless told otherwise. */
    default Reply reply(int requestIndex, Request request) {
      return reply(requestIndex);
    }
  }

  /** A behaviour that looks at the request itself. */
  interface RequestBehaviour extends Behaviour {
    @Override
    Reply reply(int requestIndex, Request request);

    @Override
    default Reply reply(int requestIndex) {
      throw new UnsupportedOperationException("answers by request");
    }
  }

  record Reply(int status, String body, Duration delay, Map<String, String> headers) {
    static Reply status(int status) {
      return new Reply(status, "", Duration.ZERO, Map.of());
    }

    static Reply status(int status, String body) {
      return new Reply(status, body, Duration.ZERO, Map.of());
    }

    /** Answers only after {@code delay}: longer than Herald's timeout, it never answers in time. */
    static Reply hang(Duration delay) {
      return new Reply(200, "", delay, Map.of());
    }
  }

  record Request(String path, Map<String, String> headers, byte[] body, Instant receivedAt) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final String scheme;
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, List<Request>> requests = new ConcurrentHashMap<>();

  private Receiver(HttpServer server, String scheme) {
    this.server = server;
    this.scheme = scheme;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static Receiver http() {
    try {
      return new Receiver(HttpServer.create(loopback(), 0), "http");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Receiver https() {
    return https(TestTls.get().serverContext());
  }

  /** HTTPS with a certificate from a CA the JVM does not trust. */
  static Receiver untrustedHttps() {
    return https(TestTls.get().untrustedServerContext());
  }

  private static Receiver https(javax.net.ssl.SSLContext context) {
    try {
      HttpsServer server = HttpsServer.create(loopback(), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(context));
      return new Receiver(server, "https");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetSocketAddress loopback() throws IOException {
    return new InetSocketAddress(InetAddress.getByName("localhost"), 0);
  }

  /** The URL of {@code path} on this receiver; unknown paths answer 200. */
  String url(String path) {
    return scheme + "://localhost:" + server.getAddress().getPort() + path;
  }

  Receiver on(String path, Behaviour behaviour) {
    behaviours.put(path, behaviour);
    return this;
  }

  List<Request> requests(String path) {
    return List.copyOf(requests.getOrDefault(path, List.of()));
  }

  List<Request> awaitRequests(String path, int count, Duration timeout) {
    return Eventually.await(
        count + " requests to " + path, timeout, () -> requests(path), r -> r.size() >= count);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
    List<Request> seen = requests.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
    int index;
    Request request = new Request(path, headers, body, Instant.now());
    synchronized (seen) {
      index = seen.size();
      seen.add(request);
    }
    Reply reply = behaviours.getOrDefault(path, i -> Reply.status(200, "ok")).reply(index, request);
    try {
      if (!reply.delay().isZero()) {
        Thread.sleep(reply.delay().toMillis());
      }
      reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      byte[] responseBody = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(
          reply.status(), responseBody.length == 0 ? -1 : responseBody.length);
      if (responseBody.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(responseBody);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client gave up (a timeout under test); nothing to answer.
    } finally {
      exchange.close();
    }
  }

  /**
   * Stops answering and drops every request held open; {@link #close} after it does nothing more.
   */
  void stopAnswering() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stopAnswering();
  }
}
