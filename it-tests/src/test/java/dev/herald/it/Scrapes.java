package dev.herald.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP against a server's operations port, and reading values out of a metrics scrape. */
final class Scrapes {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Scrapes() {}

  static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
  }

  static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String metrics(int port) {
    HttpResponse<String> scrape = get(port, "/metrics");
    if (scrape.statusCode() != 200) {
      throw new AssertionError("/metrics answered " + scrape.statusCode());
    }
    return scrape.body();
  }

  /** The value of one series, {@code name{labels}} exactly as written; 0 when absent. */
  static double value(String scrape, String series) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }
}
