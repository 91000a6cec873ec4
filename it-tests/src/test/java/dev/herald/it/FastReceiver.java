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
import java.util.concurrent.atomic.LongAdder;

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
  private final Map<String, LongAdder> firstSightingsBySeries = new ConcurrentHashMap<>();
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
      String botId = text.substring(start, text.indexOf('"', start));
      if (firstSeenNanos.putIfAbsent(botId, now) == null) {
        firstSightingsBySeries
            .computeIfAbsent(seriesOf(botId), series -> new LongAdder())
            .increment();
      }
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

  /**
   * How many bots of one series ({@code "pile-"} for {@code "pile-0"}, {@code "pile-1"}...) have
   * been seen: a wait for a whole series asks this, not each of its ids, so that the benchmark's
   * own polling takes no CPU from the server it measures.
   */
  long firstSightings(String series) {
    LongAdder sightings = firstSightingsBySeries.get(series);
    return sightings == null ? 0 : sightings.sum();
  }

  private static String seriesOf(String botId) {
    return botId.substring(0, botId.lastIndexOf('-') + 1);
  }

  void reset() {
    received.set(0);
    firstSeenNanos.clear();
    firstSightingsBySeries.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
