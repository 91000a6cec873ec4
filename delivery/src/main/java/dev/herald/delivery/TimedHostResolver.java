package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lookups with a time limit. The JDK's resolver has none of its own: a name server that never
 * answers would hold a CreateWebhook call, or a delivery thread, for as long as the operating
 * system's retries take. Lookups run on a few threads of their own; a lookup given up on goes on
 * there, and when all of them are busy a new lookup fails at once rather than queue without end.
 */
final class TimedHostResolver implements HostResolver {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final int THREADS = 8;
  private static final int WAITING = 256;

  private final HostResolver resolver;
  private final Duration timeout;
  private final ThreadPoolExecutor lookups;

  TimedHostResolver(HostResolver resolver, Duration timeout) {
    this.resolver = requireNonNull(resolver, "resolver");
    this.timeout = requireNonNull(timeout, "timeout");
    AtomicInteger number = new AtomicInteger();
    this.lookups =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WAITING),
            task -> {
              Thread thread = new Thread(task, "herald-dns-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    lookups.allowCoreThreadTimeOut(true);
  }

  @Override
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    Future<List<InetAddress>> lookup;
    try {
      lookup = lookups.submit(() -> resolver.resolve(host));
    } catch (RejectedExecutionException e) {
      throw new UnknownHostException("too many lookups at once; " + host + " was not looked up");
    }
    try {
      return lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      lookup.cancel(true);
      throw new UnknownHostException(
          "looking up " + host + " took longer than " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      lookup.cancel(true);
      Thread.currentThread().interrupt();
      throw new UnknownHostException("interrupted looking up " + host);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownHostException unknown) {
        throw unknown;
      }
      UnknownHostException failed = new UnknownHostException("could not look up " + host);
      failed.initCause(e.getCause());
      throw failed;
    }
  }
}
