package dev.herald.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way Herald's tests wait: poll until a condition holds or a deadline passes, never sleep a
 * fixed time and hope. Polls often at first and less often later, so a quick condition is seen at
 * once and a slow one (a database probe) is not asked hundreds of times a second.
 */
public final class Eventually {
  /** How long {@link #until} waits. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
  private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private Eventually() {}

  /**
   * Reads {@code probe} until {@code done} accepts what it read, and returns that.
   *
   * @throws AssertionError naming {@code what} and the last reading, once {@code timeout} passed
   */
  public static <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
      }
      LockSupport.parkNanos(pause);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
      pause = Math.min(2 * pause, LONGEST_PAUSE_NANOS);
      last = probe.get();
    }
    return last;
  }

  /** Waits up to {@link #DEFAULT_TIMEOUT} for {@code condition}. */
  public static void until(String what, BooleanSupplier condition) {
    await(what, DEFAULT_TIMEOUT, condition::getAsBoolean, done -> done);
  }
}
