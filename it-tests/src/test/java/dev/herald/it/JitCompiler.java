package dev.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A JVM's JIT compiler, seen from {@code /proc}: while its CPU grows fast, the JVM is cold. */
final class JitCompiler {
  /** HotSpot's compiler threads, {@code C1 CompilerThread0} and so on (cut to 15 characters). */
  private static final Pattern COMPILER_THREAD = Pattern.compile("C[12] Compiler");

  private JitCompiler() {}

  /** CPU time the compiler threads of process {@code pid} have used so far. */
  static Duration cpuOf(long pid) throws IOException {
    Duration total = Duration.ZERO;
    try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads.toList()) {
        total =
            total.plus(
                ProcStat.read(thread.resolve("stat"))
                    .filter(stat -> COMPILER_THREAD.matcher(stat.name()).lookingAt())
                    .map(ProcStat::cpu)
                    .orElse(Duration.ZERO));
      }
    }
    return total;
  }
}
