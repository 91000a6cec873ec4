package dev.herald.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The one way the claim loop waits: until a deadline, or until woken. A wake that comes while the
 * loop is busy is kept, so the next wait returns at once and nothing is missed.
 */
final class WakeSignal {
  private final Clock clock;
  private boolean wakeRequested;
  private boolean closed;

  /** When a wait in progress ends by itself; {@code Instant.MAX} while none is in progress. */
  private volatile Instant wakesAt = Instant.MAX;

  WakeSignal(Clock clock) {
    this.clock = clock;
  }

  synchronized void wake() {
    wakeRequested = true;
    notifyAll();
  }

  /** Whether a wake is kept for the next wait. */
  synchronized boolean pending() {
    return wakeRequested;
  }

  /** Ends every wait, now and later. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** Waits up to {@code atMost}, unless woken since the last wait; clears the wake either way. */
  synchronized void await(Duration atMost) throws InterruptedException {
    if (!wakeRequested && !closed) {
      Instant deadline = clock.instant().plus(atMost);
      wakesAt = deadline;
      try {
        long left = atMost.toNanos();
        // A spurious wake-up waits on for what is left. Rounded up to whole milliseconds, which
        // is what wait() keeps: rounded down, the last millisecond before a deadline was a spin.
        while (!wakeRequested && !closed && left > 0) {
          wait(TimeUnit.NANOSECONDS.toMillis(left + 999_999));
          left = Duration.between(clock.instant(), deadline).toNanos();
        }
      } finally {
        wakesAt = Instant.MAX;
      }
    }
    wakeRequested = false;
  }

  /** When the wait in progress ends by itself; {@code Instant.MAX} while the loop is running. */
  Instant wakesAt() {
    return wakesAt;
  }
}
