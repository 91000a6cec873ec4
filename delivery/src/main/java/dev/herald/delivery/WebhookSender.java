package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.webhook.DestinationPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/** Makes one attempt of a delivery: a signed POST, bounded in time, its outcome recorded as-is. */
final class WebhookSender {
  static final int RESPONSE_BODY_CAP = 2048;
  private static final String USER_AGENT = "Herald-Webhooks/" + HeraldVersion.get();

  private final HttpClient client;
  private final DestinationPolicy destinations;
  private final Duration timeout;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  WebhookSender(
      HttpClient client, DestinationPolicy destinations, Duration timeout, Clock clock, ScheduledExecutorService timer) {
    this.timer = requireNonNull(timer, "timer");
    this.client = requireNonNull(client, "client");
    this.destinations = requireNonNull(destinations, "destinations");
    this.timeout = requireNonNull(timeout, "timeout");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Sends the attempt and describes what happened; never throws for anything the receiver or
   * the network did.
   *
   * @throws InterruptedException when the dispatcher is stopping; nothing was recorded
   */
  DeliveryAttempt send(ClaimedDelivery delivery) throws InterruptedException {
    Instant start = clock.instant();
    long startNanos = System.nanoTime();
    Outcome outcome = post(delivery, start, startNanos);
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    return new DeliveryAttempt(
        delivery.nextAttemptNumber(),
        delivery.url(),
        start,
        took,
        outcome.status,
        outcome.body,
        outcome.error,
        outcome.status >= 200 && outcome.status < 300,
        outcome.retryAfter);
  }

  private Outcome post(ClaimedDelivery delivery, Instant start, long startNanos)
      throws InterruptedException {
    URI uri = URI.create(delivery.url());
    if (destinations.refusal(uri).isPresent()) {
      return Outcome.failure("blocked_address");
    }
    long deadline = startNanos + timeout.toNanos();
    HttpRequest request = request(delivery, uri, start, Duration.ofNanos(deadline - System.nanoTime()));
    try {
      // Blocking on a worker thread of our own: the JDK's sendAsync hands every response to
      // CompletableFuture's default executor, which on a 2-core machine starts a thread per call.
      HttpResponse<byte[]> received =
          client.send(request, info -> new CappedBodySubscriber(RESPONSE_BODY_CAP, timer, deadline));
      Duration retryAfter =
          received.headers().firstValue("Retry-After").flatMap(value -> RetryAfter.parse(value, start)).orElse(null);
      return new Outcome(received.statusCode(), printable(received.body()), "", retryAfter);
    } catch (IOException e) {
      return Outcome.failure(describe(e));
    }
  }

  /**
   * {@code X-Webhook-Signature} uses the newest key; {@code webhook-signature} carries one
   * signature per key that signs now, so receivers still holding the previous key keep verifying
   * during a rotation.
   */
  private HttpRequest request(ClaimedDelivery delivery, URI uri, Instant start, Duration timeLeft) {
    byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
    List<byte[]> keys = delivery.signingKeys();
    String messageId = delivery.idempotencyKey().toString();
    long timestamp = start.getEpochSecond();
    String standardSignatures =
        keys.stream()
            .map(key -> WebhookSigner.standardSignature(key, messageId, timestamp, body))
            .collect(Collectors.joining(" "));
    return HttpRequest.newBuilder(uri)
        .timeout(timeLeft.isNegative() || timeLeft.isZero() ? Duration.ofMillis(1) : timeLeft)
        .header("Content-Type", "application/json")
        .header("User-Agent", USER_AGENT)
        .header("X-Webhook-Signature", WebhookSigner.bodySignature(keys.get(0), body))
        .header("webhook-id", messageId)
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", standardSignatures)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** Error texts operators can read and group by; never a stack trace. */
  static String describe(Throwable error) {
    // The JDK reports an unknown host as a ConnectException caused by UnresolvedAddressException.
    if (causedBy(error, UnknownHostException.class) || causedBy(error, UnresolvedAddressException.class)) {
      return "dns failure";
    }
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof HttpConnectTimeoutException) {
        return "connect timeout";
      }
      if (e instanceof HttpTimeoutException) {
        return "timeout";
      }
      if (e instanceof ConnectException) {
        return "connection refused";
      }
      if (e instanceof SSLException) {
        return "tls error: " + e.getMessage();
      }
    }
    String message = error.getMessage();
    return "io error: " + (message == null ? error.getClass().getSimpleName() : message);
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return true;
      }
    }
    return false;
  }

  /** Response bytes as text: UTF-8, invalid sequences replaced, NULs (which text columns refuse) dropped. */
  private static String printable(byte[] body) {
    return new String(body, StandardCharsets.UTF_8).replace("\u0000", "");
  }

  private record Outcome(int status, String body, String error, Duration retryAfter) {
    static Outcome failure(String error) {
      return new Outcome(0, "", error, null);
    }
  }
}
