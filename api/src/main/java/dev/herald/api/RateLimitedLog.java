package dev.herald.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings about a condition that fails many calls at once: the first in each period is logged with
 * how many were left out before it, so an outage reads as a few lines, not one per call.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long periodNanos;
  private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, Duration period) {
    this.log = requireNonNull(log, "log");
    this.periodNanos = period.toNanos();
  }

  void warn(String format, Object... arguments) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if (now - allowed < 0 || !nextAllowed.compareAndSet(allowed, now + periodNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    log.warn(left == 0 ? format : format + " (" + left + " more like it not logged)", arguments);
  }
}
