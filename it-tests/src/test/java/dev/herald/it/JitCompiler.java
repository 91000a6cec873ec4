package dev.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JVM's JIT compiler, seen from {@code /proc}: while it takes much of the process's CPU, the JVM
 * is still compiling its hot paths and its figures are a cold JVM's. The server and the warm
 * ceiling's client are both warmed up by it.
 */
final class JitCompiler {
  /**
   * A JVM is warm once its JIT compiler takes less than this share of its CPU during a round of
   * work. On two cores one compiler thread stays busy for about a minute after start: after 50,000
   * deliveries it still took 40% of the server's CPU through the next 100,000, and a load measured
   * then measures the compiler as much as Herald.
   */
  static final double WARM_COMPILER_SHARE = 0.05;

  /** HotSpot's compiler threads, {@code C1 CompilerThread0} and so on (cut to 15 characters). */
  private static final Pattern COMPILER_THREAD = Pattern.compile("C[12] Compiler");

  /** Work done to warm a JVM up. */
  interface Round {
    void run() throws Exception;
  }

  /** How a warm-up ended: the rounds it ran, and the compiler's share of the CPU in the last. */
  record Warmth(int rounds, double compilerShare) {}

  private final ProcessHandle process;

  JitCompiler(ProcessHandle process) {
    this.process = process;
  }

  /**
   * Runs {@code round} until the JVM is warm ({@link #WARM_COMPILER_SHARE}), at most {@code
   * maxRounds} times, so that a compiler that never rests ends it.
   */
  Warmth warmUp(int maxRounds, Round round) throws Exception {
    int rounds = 0;
    double compilerShare = 1;
    while (compilerShare >= WARM_COMPILER_SHARE && rounds < maxRounds) {
      compilerShare = shareOf(round);
      rounds++;
    }
    return new Warmth(rounds, compilerShare);
  }

  /** The share of the process's CPU its JIT compiler took while {@code round} ran. */
  double shareOf(Round round) throws Exception {
    Duration cpuBefore = processCpu();
    Duration compilerBefore = cpu();
    round.run();
    long cpuMillis = processCpu().minus(cpuBefore).toMillis();
    long compilerMillis = cpu().minus(compilerBefore).toMillis();
    return cpuMillis == 0 ? 0 : (double) compilerMillis / cpuMillis;
  }

  /** CPU time the compiler threads have used so far. */
  Duration cpu() throws IOException {
    Duration total = Duration.ZERO;
    try (Stream<Path> threads =
        Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
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

  private Duration processCpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }
}
