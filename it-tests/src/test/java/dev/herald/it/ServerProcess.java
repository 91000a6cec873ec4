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

  /** At most this many rounds of warm-up, so that a compiler that never rests ends it. */
  static final int MAX_WARM_UP_ROUNDS = 8;

  /**
   * Runs {@code round} until the server is warm ({@link JitCompiler#WARM_COMPILER_SHARE}), at most
   * {@link #MAX_WARM_UP_ROUNDS} times.
   */
  JitCompiler.Warmth warmUp(JitCompiler.Round round) throws Exception {
    return compiler().warmUp(MAX_WARM_UP_ROUNDS, round);
  }

  /** The share of the server's CPU its JIT compiler took while {@code round} ran. */
  double compilerShareOf(JitCompiler.Round round) throws Exception {
    return compiler().shareOf(round);
  }

  private JitCompiler compiler() {
    return new JitCompiler(process.toHandle());
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
