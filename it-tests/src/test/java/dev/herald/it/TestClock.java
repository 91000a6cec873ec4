package dev.herald.it;

import com.google.inject.Module;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time a test server lives by: it runs with the real time, and a test where timing is the
 * subject (a retry an hour out, a key's overlap) moves it on instead of waiting.
 */
final class TestClock extends Clock {
  private final Instant start = Instant.now();
  private final long startNanos = System.nanoTime();
  private final AtomicLong skippedNanos = new AtomicLong();

  /** Moves this clock {@code by} ahead of the real time, on top of earlier moves. */
  void advance(Duration by) {
    skippedNanos.addAndGet(by.toNanos());
  }

  /** The binding that makes a server live by this clock. */
  Module module() {
    return binder -> binder.bind(Clock.class).toInstance(this);
  }

  @Override
  public Instant instant() {
    return start.plusNanos(System.nanoTime() - startNanos + skippedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a test server's clock is in UTC");
  }
}
