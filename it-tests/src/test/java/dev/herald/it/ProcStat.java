package dev.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A process's or thread's name and CPU time, from its {@code /proc/.../stat}; for a process, also
 * the CPU time of its children that have ended and been waited for.
 */
record ProcStat(String name, Duration cpu, Duration endedChildrenCpu) {
  /** Linux's USER_HZ, the unit of {@code /proc/<pid>/stat}'s times, on every platform it runs. */
  private static final long TICKS_PER_SECOND = 100;

  /** Empty when the process or thread ended before it was read. */
  static Optional<ProcStat> read(Path stat) {
    try {
      String text = Files.readString(stat);
      int open = text.indexOf('(');
      int close = text.lastIndexOf(')');
      String[] fields = text.substring(close + 2).split(" ");
      // After the name: state is field 3 of stat, utime field 14, stime 15, cutime 16, cstime 17.
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      long childTicks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return Optional.of(
          new ProcStat(text.substring(open + 1, close), duration(ticks), duration(childTicks)));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }

  private static Duration duration(long ticks) {
    return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
  }
}
