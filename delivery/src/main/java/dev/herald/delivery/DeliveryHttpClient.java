package dev.herald.delivery;

import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/** The HTTP client deliveries are sent with. */
public final class DeliveryHttpClient {
  /** How long an idle connection to a receiver is kept for the next delivery. */
  private static final Duration KEEP_ALIVE = Duration.ofMinutes(5);

  private DeliveryHttpClient() {}

  /**
   * Resolves through the guard, which vets every address, and connects with sockets that check the
   * address again, so only vetted addresses are ever contacted.
   */
  static OkHttpClient create(PrivateNetworkGuard guard, Duration timeout, int connections) {
    return withoutAddressChecks(timeout, connections)
        .dns(guard::vet)
        .socketFactory(new GuardedSocketFactory(guard))
        .build();
  }

  /**
   * The client as deliveries use it but for the address checks, which only {@link #create} adds:
   * public so that the benchmark's bare client, the ceiling Herald is measured against, is this
   * client and cannot drift from it. Never for deliveries.
   *
   * <p>Redirects are never followed: a 3xx is a failed attempt, as receivers are told. {@code
   * timeout} bounds the whole attempt, from the lookup to the last byte read, and only the whole
   * call is timed: when it runs out, OkHttp closes the socket, which ends any connect, write or
   * read in progress. A socket given a timeout of its own is switched to non-blocking for good, and
   * then every read that finds nothing yet is a read, a {@code poll} and a read again where a
   * blocking socket reads once; OkHttp's watchdog also queued a timeout for every read and write
   * (docs/performance.md, "Untimed sockets").
   */
  public static OkHttpClient.Builder withoutAddressChecks(Duration timeout, int connections) {
    return new OkHttpClient.Builder()
        // Never a proxy, whatever the JVM's proxy properties say: through one, the guard's
        // socket would check the proxy's address and the proxy would reach any destination.
        .proxy(Proxy.NO_PROXY)
        .followRedirects(false)
        .followSslRedirects(false)
        .protocols(List.of(Protocol.HTTP_1_1))
        .callTimeout(timeout)
        .connectTimeout(Duration.ZERO)
        .readTimeout(Duration.ZERO)
        .writeTimeout(Duration.ZERO)
        .connectionPool(UnwokenHousekeeping.pool(connections, KEEP_ALIVE));
  }
}
