package dev.herald.it;

import dev.herald.testing.Eventually;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Herald as operators run it: {@code java -jar herald-server.jar} in its own process, so that its
 * memory and CPU are its own.
 */
final class ServerProcess implements AutoCloseable {
  /** The heap limit the README recommends for production. */
  static final String HEAP_LIMIT = "-Xmx384m";

  private final Process process;
  private final Path log;
  final int port;
  private long peakRssKb;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static ServerProcess start(Path jar, Path workDir, Map<String, String> settings)
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile(workDir, "herald-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command(jar))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("HERALD_"));
    builder.environment().putAll(settings);
    builder.environment().put("HERALD_GRPC_PORT", Integer.toString(port));
    builder.environment().putIfAbsent("HERALD_HTTP_PORT", "0");
    ServerProcess server = new ServerProcess(builder.start(), log, port);
    String started =
        Eventually.await(
            "the server to listen or exit",
            Duration.ofSeconds(90),
            () -> JarLaunchIT.read(log),
            text -> text.contains("listening") || !server.process.isAlive());
    if (!started.contains("listening")) {
      throw new IllegalStateException("server did not start:\n" + started);
    }
    return server;
  }

  /** {@code java -Xmx… [-Dherald.bench.jvm extras] -jar herald-server.jar} */
  private static List<String> command(Path jar) {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(HEAP_LIMIT);
    String extra = System.getProperty("herald.bench.jvm", "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  /** Saves a thread dump of the server beside its log, named after {@code label}, with jcmd. */
  void saveThreadDump(String label) throws IOException, InterruptedException {
    Path dump =
        log.resolveSibling(
            log.getFileName() + "." + label + "." + System.currentTimeMillis() + ".threads");
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "Thread.print")
            .redirectErrorStream(true)
            .redirectOutput(dump.toFile())
            .start();
    jcmd.waitFor(30, TimeUnit.SECONDS);
    System.out.println("thread dump: " + dump);
  }

  /** CPU time the server process has used so far. */
  Duration cpu() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /**
   * A server is warm once its JIT compiler takes less than this share of its CPU during a round of
   * work. On two cores one compiler thread stays busy for about a minute after start: after 50,000
   * deliveries it still took 40% of the server's CPU through the next 100,000, and a load measured
   * then measures the compiler as much as Herald.
   */
  static final double WARM_COMPILER_SHARE = 0.05;

  /** Work done to warm the server up. */
  interface Round {
    void run() throws Exception;
  }

  /** At most this many rounds of warm-up, so that a compiler that never rests ends it. */
  static final int MAX_WARM_UP_ROUNDS = 8;

  /**
   * How a warm-up ended: the rounds it ran, and the compiler's share of the server's CPU in the
   * last.
   */
  record Warmth(int rounds, double compilerShare) {}

  /**
   * Runs {@code round} until the server is warm ({@link #WARM_COMPILER_SHARE}), at most {@link
   * #MAX_WARM_UP_ROUNDS} times.
   */
  Warmth warmUp(Round round) throws Exception {
    int rounds = 0;
    double compilerShare = 1;
    while (compilerShare >= WARM_COMPILER_SHARE && rounds < MAX_WARM_UP_ROUNDS) {
      compilerShare = compilerShareOf(round);
      rounds++;
    }
    return new Warmth(rounds, compilerShare);
  }

  /** The share of the server's CPU its JIT compiler took while {@code round} ran. */
  double compilerShareOf(Round round) throws Exception {
    Duration cpuBefore = cpu();
    Duration compilerBefore = compilerCpu();
    round.run();
    long cpuMillis = cpu().minus(cpuBefore).toMillis();
    long compilerMillis = compilerCpu().minus(compilerBefore).toMillis();
    return cpuMillis == 0 ? 0 : (double) compilerMillis / cpuMillis;
  }

  /**
   * CPU time the JVM's JIT compiler threads have used so far: while it grows fast the server is
   * still compiling its hot paths, and its figures are a cold server's.
   */
  Duration compilerCpu() throws IOException {
    return JitCompiler.cpuOf(process.pid());
  }

  /** The process's peak resident memory so far (VmHWM), in MB. */
  double peakRssMb() throws IOException {
    List<String> status =
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"));
    for (String line : status) {
      if (line.startsWith("VmHWM:")) {
        peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("\\D", "")));
      }
    }
    return peakRssKb / 1024.0;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
