package dev.herald.delivery;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import okhttp3.ConnectionPool;
import okhttp3.internal.concurrent.TaskRunner;
import okhttp3.internal.connection.ConnectionListener;

/**
 * The delivery client's connection pool, its housekeeping (closing connections idle past their
 * keep-alive) run without a wake-up per call. OkHttp reschedules that housekeeping to "now" every
 * time a connection goes back to its pool, and its own task runner wakes a thread to look: one
 * thread switch and park per delivery, about a fifth of the server's switches in the benchmark's
 * sweep (docs/performance.md, "The sweep"). This runner's coordinator is never woken early: it
 * looks at its tasks at least every {@link #LOOK_EVERY}, so a connection is closed up to that long
 * after its keep-alive ends. A connection that must not be reused (a cancelled call, {@code
 * Connection: close}) is closed by the call that leaves it, not by housekeeping, so nothing else
 * waits on it.
 *
 * <p>The runner's interface and this pool constructor are in OkHttp's internal package: an upgrade
 * that changes them fails to compile here rather than at run time. Only this pool uses the runner;
 * the rest of OkHttp keeps its own.
 */
final class UnwokenHousekeeping implements TaskRunner.Backend {
  private static final Duration LOOK_EVERY = Duration.ofSeconds(1);

  private final ThreadPoolExecutor threads =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          new ThreadFactoryBuilder()
              .setNameFormat("herald-http-housekeeping-%d")
              .setDaemon(true)
              .build());

  private UnwokenHousekeeping() {}

  /** A pool keeping up to {@code maxIdle} idle connections for {@code keepAlive} each. */
  static ConnectionPool pool(int maxIdle, Duration keepAlive) {
    TaskRunner runner =
        new TaskRunner(new UnwokenHousekeeping(), Logger.getLogger(TaskRunner.class.getName()));
    return new ConnectionPool(
        maxIdle,
        keepAlive.toNanos(),
        TimeUnit.NANOSECONDS,
        runner,
        ConnectionListener.Companion.getNONE());
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  /** Not woken: the coordinator looks within {@link #LOOK_EVERY} anyway. */
  @Override
  public void coordinatorNotify(TaskRunner runner) {}

  /**
   * Called holding the runner's monitor, as OkHttp's own backend is. Interrupted, it throws as that
   * backend does, undeclared in the interface: the runner catches it and cancels its tasks.
   */
  @Override
  public void coordinatorWait(TaskRunner runner, long nanos) {
    long wait = Math.min(nanos, LOOK_EVERY.toNanos());
    if (wait <= 0) {
      return;
    }
    try {
      runner.wait(wait / 1_000_000, (int) (wait % 1_000_000));
    } catch (InterruptedException e) {
      throwUnchecked(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void throwUnchecked(Throwable e) throws E {
    throw (E) e;
  }

  @Override
  public <T> BlockingQueue<T> decorate(BlockingQueue<T> queue) {
    return queue;
  }

  @Override
  public void execute(TaskRunner runner, Runnable runnable) {
    threads.execute(runnable);
  }
}
