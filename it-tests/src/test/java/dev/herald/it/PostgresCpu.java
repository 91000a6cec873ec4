package dev.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time used so far by every PostgreSQL process on the machine (all named {@code postgres}),
 * read from {@code /proc}: the benchmark's database has the machine to itself while it runs.
 */
final class PostgresCpu {
  /** Linux's USER_HZ, the unit of {@code /proc/<pid>/stat}'s times, on every platform it runs. */
  private static final long TICKS_PER_SECOND = 100;

  private PostgresCpu() {}

  static Duration total() {
    long ticks = 0;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.toList()) {
        if (process.getFileName().toString().chars().allMatch(Character::isDigit)) {
          ticks += ticksIfPostgres(process);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
  }

  private static long ticksIfPostgres(Path process) {
    try {
      String stat = Files.readString(process.resolve("stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      if (!stat.substring(open + 1, close).equals("postgres")) {
        return 0;
      }
      String[] fields = stat.substring(close + 2).split(" ");
      // After the name: state is field 3 of stat, utime field 14, stime field 15.
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException gone) {
      return 0; // the process ended while being read
    }
  }
}
