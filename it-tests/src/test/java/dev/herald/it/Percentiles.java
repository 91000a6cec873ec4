package dev.herald.it;

import java.util.Arrays;

/** Latencies in microseconds, summarised. */
final class Percentiles {
  private final long[] sorted;

  Percentiles(long[] micros) {
    this.sorted = micros.clone();
    Arrays.sort(sorted);
  }

  double millis(double percentile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
  }

  double maxMillis() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0;
  }

  int count() {
    return sorted.length;
  }
}
