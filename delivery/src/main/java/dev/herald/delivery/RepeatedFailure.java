package dev.herald.delivery;

import java.time.Duration;

/**
 * When a failure that keeps happening is worth a log line: the first time, then once every {@code
 * every} while it goes on. A database away for a minute is then a few lines, not one per try.
 */
final class RepeatedFailure {
  private final long everyNanos;
  private int inARow;
  private long lastReport;

  RepeatedFailure(Duration every) {
    this.everyNanos = every.toNanos();
  }

  /** Counts a failure; true when it is to be reported. */
  synchronized boolean failed() {
    long now = System.nanoTime();
    if (inARow++ == 0 || now - lastReport >= everyNanos) {
      lastReport = now;
      return true;
    }
    return false;
  }

  /** Failures in a row so far. */
  synchronized int inARow() {
    return inARow;
  }

  /** Ends the run of failures; returns how long it was (0 if there was none). */
  synchronized int succeeded() {
    int ended = inARow;
    inARow = 0;
    return ended;
  }
}
