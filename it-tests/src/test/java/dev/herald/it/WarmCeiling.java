package dev.herald.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw-POST ceiling with its client in a process of its own, warmed as the server is: rounds of
 * POSTs until its JIT compiler takes less than {@link JitCompiler#WARM_COMPILER_SHARE} of its CPU,
 * then the counted POSTs, the same client, receiver and body. The ceiling the targets are held
 * against has its client in the benchmark's JVM after {@code CEILING_WARM_UP} POSTs, still
 * compiling: on one machine in one day it read from 10,900 to 27,319/s, where this one read 45,000
 * to 50,000/s at about half the client's CPU per POST. Reported beside it, so that each run says
 * how far the two stand apart.
 */
final class WarmCeiling {
  /** POSTs per warm-up round, as many as the ceiling's warm-up. */
  private static final int ROUND = 20_000;

  /** At most this many rounds, so that a compiler that never rests ends the warm-up. */
  private static final int MAX_ROUNDS = 12;

  /** Starts the line the client prints its figures on. */
  private static final String RESULT = "warm-ceiling";

  /**
   * What the warm client measured: its rate, its posting threads' CPU per 10,000 POSTs, the POSTs
   * that warmed it, and its compiler's share of its CPU in the last warm-up round.
   */
  record Result(double perSecond, double cpuPer10k, int warmUpPosts, double compilerShare) {}

  private WarmCeiling() {}

  /** Runs the warm client against {@code url} with {@code payload}, counting {@code posts}. */
  static Result measure(Path serverJar, String url, String payload, int posts) throws Exception {
    Path body = Files.createTempFile("herald-ceiling-", ".json");
    Path output = Files.createTempFile("herald-ceiling-", ".log");
    try {
      Files.writeString(body, payload, StandardCharsets.UTF_8);
      Process client =
          new ProcessBuilder(command(serverJar, url, body, posts))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!client.waitFor(10, TimeUnit.MINUTES)) {
        client.destroyForcibly();
        throw new IllegalStateException("the warm ceiling's client did not finish");
      }
      List<String> lines = Files.readAllLines(output);
      String[] figures =
          lines.stream()
              .filter(line -> line.startsWith(RESULT + " "))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("the warm ceiling's client said: " + lines))
              .split(" ");
      return new Result(
          Double.parseDouble(figures[1]),
          Long.parseLong(figures[2]) / 1e9 / posts * 10_000,
          Integer.parseInt(figures[3]),
          Double.parseDouble(figures[4]));
    } finally {
      Files.deleteIfExists(body);
      Files.deleteIfExists(output);
    }
  }

  /**
   * {@code java -Xmx… -cp herald-server.jar:<these classes> WarmCeiling …}: the server's jar brings
   * the very HTTP client Herald delivers with, and the heap is the server's.
   */
  private static List<String> command(Path serverJar, String url, Path body, int posts)
      throws Exception {
    Path classes =
        Path.of(WarmCeiling.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ServerProcess.HEAP_LIMIT);
    command.add("-cp");
    command.add(serverJar + java.io.File.pathSeparator + classes);
    command.add(WarmCeiling.class.getName());
    command.add(url);
    command.add(body.toString());
    command.add(Integer.toString(posts));
    return command;
  }

  /** The client: {@code <url> <body file> <posts>}; prints its {@link Result} on one line. */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    String payload = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
    int posts = Integer.parseInt(args[2]);
    try (RawPosts raw = new RawPosts(url, payload)) {
      JitCompiler.Warmth warmth =
          new JitCompiler(ProcessHandle.current())
              .warmUp(MAX_ROUNDS, () -> raw.post(ROUND, new AtomicLong()));
      AtomicLong cpuNanos = new AtomicLong();
      double perSecond = raw.post(posts, cpuNanos);
      System.out.printf(
          Locale.ROOT,
          "%s %.1f %d %d %.4f%n",
          RESULT,
          perSecond,
          cpuNanos.get(),
          warmth.rounds() * ROUND,
          warmth.compilerShare());
    }
    // OkHttp's connection pool keeps a thread of its own for a while.
    System.exit(0);
  }
}
