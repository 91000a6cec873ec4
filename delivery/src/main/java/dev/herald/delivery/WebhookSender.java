package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Makes one attempt of a delivery: a signed POST, bounded in time, its outcome recorded as-is. The
 * client it is given resolves and connects through {@link PrivateNetworkGuard} (see {@link
 * DeliveryModule}), so a blocked host ends the attempt with {@code blocked_address}.
 */
final class WebhookSender {
  static final int RESPONSE_BODY_CAP = 2048;
  static final String BLOCKED = "blocked_address";
  static final String DNS_FAILURE = "dns failure";
  static final String TLS_ERROR = "tls error: ";
  private static final String USER_AGENT = "Herald-Webhooks/" + HeraldVersion.get();
  private static final MediaType JSON = MediaType.get("application/json");

  /** Webhook URLs kept parsed: more than a server's webhooks, bounded as URLs change. */
  private static final int PARSED_URLS_KEPT = 10_000;

  private final OkHttpClient client;
  private final Clock clock;

  /**
   * A webhook's URL parsed once rather than on every attempt, where parsing took about 4% of the
   * delivery threads' CPU in a profile of a drain. Empty for a URL OkHttp cannot parse.
   */
  private final LoadingCache<String, Optional<HttpUrl>> parsedUrls =
      CacheBuilder.newBuilder()
          .maximumSize(PARSED_URLS_KEPT)
          .build(CacheLoader.from(url -> Optional.ofNullable(HttpUrl.parse(url))));

  WebhookSender(OkHttpClient client, Clock clock) {
    this.client = requireNonNull(client, "client");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Sends the attempt and describes what happened; never throws for anything the receiver or the
   * network did.
   *
   * @throws InterruptedException when the dispatcher is stopping; nothing was recorded
   */
  DeliveryAttempt send(ClaimedDelivery delivery) throws InterruptedException {
    Instant start = clock.instant();
    long startNanos = System.nanoTime();
    Outcome outcome = post(delivery, start);
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

  private Outcome post(ClaimedDelivery delivery, Instant start) throws InterruptedException {
    HttpUrl url = parsedUrls.getUnchecked(delivery.url()).orElse(null);
    if (url == null) {
      return Outcome.failure("invalid url");
    }
    Call call = client.newCall(request(delivery, url, start));
    try (Response response = call.execute()) {
      byte[] body = readCapped(response.body(), call);
      String retryAfterHeader = response.header("Retry-After");
      Duration retryAfter =
          retryAfterHeader == null ? null : RetryAfter.parse(retryAfterHeader, start).orElse(null);
      return new Outcome(response.code(), printable(body), "", retryAfter);
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("stopping");
      }
      return Outcome.failure(describe(e));
    }
  }

  /**
   * The first {@link #RESPONSE_BODY_CAP} bytes. A longer body is not read on: the call is
   * cancelled, which closes the connection rather than draining an endless stream.
   */
  private static byte[] readCapped(ResponseBody body, Call call) throws IOException {
    BufferedSource source = body.source();
    boolean more = source.request(RESPONSE_BODY_CAP + 1L);
    byte[] head =
        source.getBuffer().readByteArray(Math.min(source.getBuffer().size(), RESPONSE_BODY_CAP));
    if (more) {
      call.cancel();
    }
    return head;
  }

  /**
   * {@code X-Webhook-Signature} uses the newest key; {@code webhook-signature} carries a signature
   * per key that signs now and per scheme, so receivers still holding the previous key keep
   * verifying during a rotation.
   */
  private static Request request(ClaimedDelivery delivery, HttpUrl url, Instant start) {
    byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
    String messageId = delivery.idempotencyKey().toString();
    long timestamp = start.getEpochSecond();
    String standardSignatures =
        WebhookSigner.standardSignatures(delivery.signing(), messageId, timestamp, body);
    return new Request.Builder()
        .url(url)
        .header("User-Agent", USER_AGENT)
        .header(
            "X-Webhook-Signature",
            WebhookSigner.bodySignature(delivery.signing().current().key(), body))
        .header("webhook-id", messageId)
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", standardSignatures)
        .post(RequestBody.create(body, JSON))
        .build();
  }

  /** Error texts operators can read and group by; never a stack trace. */
  static String describe(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof BlockedAddressException) {
        return BLOCKED;
      }
      if (e instanceof UnknownHostException) {
        return DNS_FAILURE;
      }
      if (e instanceof InterruptedIOException) {
        // OkHttp's call timeout, the one the client has, whatever the call was doing then.
        return "timeout";
      }
      if (e instanceof ConnectException) {
        return "connection refused";
      }
      if (e instanceof SSLException) {
        return TLS_ERROR + e.getMessage();
      }
    }
    String message = error.getMessage();
    return "io error: " + (message == null ? error.getClass().getSimpleName() : message);
  }

  /** Response bytes as text, invalid UTF-8 replaced; {@link DeliveryAttempt} makes it storable. */
  private static String printable(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  private record Outcome(int status, String body, String error, Duration retryAfter) {
    static Outcome failure(String error) {
      return new Outcome(0, "", error, null);
    }
  }
}
