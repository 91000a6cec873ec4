package dev.herald.it;

import java.util.Arrays;

/** Latencies in microseconds, summarised. */
final class Percentiles {
  private final long[] sorted;

  Percentiles(long[] micros) {
    this.sorted = micros.clone();
    Arrays.sort(sorted);
  }

  /** The samples of several runs of one measure, taken together. */
  static Percentiles pooled(Percentiles... parts) {
    long[] all = new long[Arrays.stream(parts).mapToInt(Percentiles::count).sum()];
    int at = 0;
    for (Percentiles part : parts) {
      System.arraycopy(part.sorted, 0, all, at, part.sorted.length);
      at += part.sorted.length;
    }
    return new Percentiles(all);
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
