package dev.herald.it;

import dev.herald.delivery.DeliveryHttpClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The same body POSTed straight to a receiver with the client Herald delivers with, as many at once
 * as the benchmark's server delivers: what a ceiling is made of. Closing it closes its connections:
 * a receiver keeps only so many idle ones (the JDK's server 200) and closes each connection after
 * its exchange once it has that many, so connections left behind slow every later client down.
 */
final class RawPosts implements AutoCloseable {
  static final int CONCURRENCY = 32;

  private final OkHttpClient client;
  private final Request request;

  RawPosts(String url, String payload) {
    // The client Herald delivers with, minus the address checks (loopback is not public).
    client = DeliveryHttpClient.withoutAddressChecks(Duration.ofSeconds(10), CONCURRENCY).build();
    request =
        new Request.Builder()
            .url(url)
            .post(
                RequestBody.create(
                    payload.getBytes(StandardCharsets.UTF_8), MediaType.get("application/json")))
            .build();
  }

  /**
   * {@code posts} POSTs, {@link #CONCURRENCY} at a time; the rate they were answered at. The CPU
   * their calling threads spent is added to {@code clientCpuNanos} (each call runs on its caller's
   * thread).
   */
  double post(int posts, AtomicLong clientCpuNanos) throws InterruptedException {
    ExecutorService posters = Executors.newFixedThreadPool(CONCURRENCY);
    AtomicLong next = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(CONCURRENCY);
    long start = System.nanoTime();
    for (int i = 0; i < CONCURRENCY; i++) {
      posters.execute(
          () -> {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            try {
              while (next.incrementAndGet() <= posts) {
                try (Response response = client.newCall(request).execute()) {
                  response.body().bytes();
                }
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            } finally {
              clientCpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpuBefore);
              finished.countDown();
            }
          });
    }
    finished.await(10, TimeUnit.MINUTES);
    posters.shutdown();
    return posts / ((System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {
    client.connectionPool().evictAll();
    client.dispatcher().executorService().shutdown();
  }
}
