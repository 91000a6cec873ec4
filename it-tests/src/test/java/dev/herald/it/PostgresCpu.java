package dev.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time used so far by every PostgreSQL process on the machine (all named {@code postgres}),
 * read from {@code /proc}: the benchmark's database has the machine to itself while it runs. The
 * processes that have ended count too, through the postmaster that waited for them: a connection
 * closed or an autovacuum worker done between two readings took its CPU time out of the sum.
 */
final class PostgresCpu {
  private PostgresCpu() {}

  static Duration total() {
    Duration total = Duration.ZERO;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.toList()) {
        if (process.getFileName().toString().chars().allMatch(Character::isDigit)) {
          total =
              total.plus(
                  ProcStat.read(process.resolve("stat"))
                      .filter(stat -> stat.name().equals("postgres"))
                      .map(stat -> stat.cpu().plus(stat.endedChildrenCpu()))
                      .orElse(Duration.ZERO));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return total;
  }
}
