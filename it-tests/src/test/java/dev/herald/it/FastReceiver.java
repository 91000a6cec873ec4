package dev.herald.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiver that answers 204 at once and notes, per bot id, when the first request for it arrived:
 * the far end of the end-to-end latency. A path set {@link #down} answers 503 instead, and notes
 * nothing.
 */
final class FastReceiver implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final AtomicLong received = new AtomicLong();
  private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean recordTimes;

  FastReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    if (down.contains(exchange.getRequestURI().getPath())) {
      refused.incrementAndGet();
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
      return;
    }
    long now = System.nanoTime();
    received.incrementAndGet();
    if (recordTimes) {
      String text = new String(body, StandardCharsets.UTF_8);
      int start = text.indexOf("\"bot_id\":\"") + 10;
      firstSeenNanos.putIfAbsent(text.substring(start, text.indexOf('"', start)), now);
    }
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  /** Whether requests to {@code path} are answered 503, as by an endpoint that is down. */
  void down(String path, boolean isDown) {
    if (isDown) {
      down.add(path);
    } else {
      down.remove(path);
    }
  }

  /** Requests answered 503 so far. */
  long refused() {
    return refused.get();
  }

  long received() {
    return received.get();
  }

  void recordTimes(boolean on) {
    recordTimes = on;
  }

  Long firstSeen(String botId) {
    return firstSeenNanos.get(botId);
  }

  void reset() {
    received.set(0);
    firstSeenNanos.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
