package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.testing.Eventually;
import io.grpc.Status;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The two faults every deployment meets at its database, under a steady load: PostgreSQL stopped
 * for 30 s and started again, and the embedded PostgreSQL's postmaster killed outright. While the
 * database is away calls are UNAVAILABLE within their deadline; once it is back the server, never
 * restarted, serves again by itself, every acknowledged event is delivered, and the log tells the
 * story in a few lines rather than one per call.
 */
class DatabaseOutageIT {
  private static final int PER_SECOND = 200;
  private static final long CALL_DEADLINE_SECONDS = 10;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  /**
   * The connection pool retries a database it lost at most 5 s apart, so the first connection can
   * come up to 5 s after the database is back, and the first call is answered just after it.
   */
  private static final Duration RECOVERY = Duration.ofSeconds(8);

  @Test
  void aDatabaseStoppedForThirtySecondsUnderLoadIsRecoveredFromWithoutLoss() throws Exception {
    Path directory = Files.createTempDirectory("herald-outage-postgres");
    EmbeddedPostgres postgres = postgres(directory, 0);
    int port = postgres.getPort();
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put(
        "HERALD_DATABASE_URL", "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres");
    try (HeraldFixture herald = HeraldFixture.start(settings);
        Receiver receiver = Receiver.http();
        LogCapture log = LogCapture.attach()) {
      herald.webhooks().createWebhook(Requests.webhook("proj-outage", receiver.url("/outage")));
      PacedIngest load =
          new PacedIngest(herald.channel(), "proj-outage", PER_SECOND, CALL_DEADLINE_SECONDS);
      try {
        awaitAcknowledged(load, PER_SECOND);

        postgres.close();
        Instant stopped = Instant.now();
        int linesBefore = log.lines().size();
        Eventually.await(
            "the outage to last " + OUTAGE,
            OUTAGE.plusSeconds(10),
            Instant::now,
            now -> now.isAfter(stopped.plus(OUTAGE)));
        List<String> outageLog = log.heraldLinesFrom(linesBefore);
        int outageLines = outageLog.size();
        System.out.println("log while the database was away, by kind: " + kinds(outageLog));
        int acknowledgedWhileDown = load.acknowledgedCount();

        postgres = postgres(directory, port);
        Instant restarted = Instant.now();
        awaitAcknowledged(load, acknowledgedWhileDown + 1, RECOVERY);
        System.out.printf(
            "database back at %s; serving again after %d ms; %d log lines while it was away%n",
            restarted, Duration.between(restarted, Instant.now()).toMillis(), outageLines);
        awaitAcknowledged(load, load.acknowledgedCount() + PER_SECOND);
        load.close();

        assertOnlyUnavailable(load);
        assertTrue(
            outageLines < 20,
            outageLines
                + " lines from Herald in "
                + OUTAGE.toSeconds()
                + " s of "
                + PER_SECOND
                + " calls/s: "
                + kinds(outageLog));
        assertEveryAcknowledgedEventDelivered(load, receiver, "/outage");
        assertDeliveryThreadsAlive();
      } finally {
        load.close();
      }
    } finally {
      postgres.close();
      deleteRecursively(directory);
    }
  }

  @Test
  void theEmbeddedPostmasterKilledUnderLoadIsStartedAgainInPlace() throws Exception {
    Path dataDir = Files.createTempDirectory("herald-outage-embedded");
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATA_DIR", dataDir.toString());
    try (HeraldFixture herald = HeraldFixture.startEmbedded(settings);
        Receiver receiver = Receiver.http();
        LogCapture log = LogCapture.attach()) {
      herald.webhooks().createWebhook(Requests.webhook("proj-killed", receiver.url("/killed")));
      PacedIngest load =
          new PacedIngest(herald.channel(), "proj-killed", PER_SECOND, CALL_DEADLINE_SECONDS);
      try {
        awaitAcknowledged(load, PER_SECOND);
        ProcessHandle postmaster = postmaster(dataDir.resolve("postgres")).orElseThrow();
        int acknowledgedBefore = load.acknowledgedCount();
        postmaster.destroyForcibly();
        postmaster.onExit().get(10, TimeUnit.SECONDS);

        Eventually.await(
            "a new postmaster",
            Duration.ofSeconds(30),
            () -> postmaster(dataDir.resolve("postgres")).map(ProcessHandle::pid).orElse(-1L),
            pid -> pid != -1L && pid != postmaster.pid());
        awaitAcknowledged(load, acknowledgedBefore + PER_SECOND, Duration.ofSeconds(30));
        load.close();

        assertOnlyUnavailable(load);
        assertTrue(
            log.lines().stream().anyMatch(l -> l.contains("stopped unexpectedly")),
            "the log says what happened");
        assertEveryAcknowledgedEventDelivered(load, receiver, "/killed");
        assertDeliveryThreadsAlive();
      } finally {
        load.close();
      }
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private static EmbeddedPostgres postgres(Path directory, int port) throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(false);
    if (port != 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  /** The running postmaster of the data directory, if any. */
  private static Optional<ProcessHandle> postmaster(Path directory) {
    try {
      String pid = Files.readAllLines(directory.resolve("postmaster.pid")).get(0).trim();
      return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void awaitAcknowledged(PacedIngest load, int count) {
    awaitAcknowledged(load, count, Duration.ofSeconds(30));
  }

  private static void awaitAcknowledged(PacedIngest load, int count, Duration within) {
    Eventually.await(
        count + " events acknowledged",
        within,
        load::acknowledgedCount,
        acknowledged -> acknowledged >= count);
  }

  /** Refused calls were told to come back later, in words, never INTERNAL or a lapsed deadline. */
  private static void assertOnlyUnavailable(PacedIngest load) {
    Map<Status.Code, Integer> refusals = load.refusals();
    System.out.println("refusals: " + refusals + " " + load.refusalMessages());
    assertEquals(Set.of(Status.Code.UNAVAILABLE), refusals.keySet(), "refusals: " + refusals);
    assertTrue(
        load.refusalMessages().stream().allMatch(m -> m.startsWith("the database is unavailable")),
        "refusal messages: " + load.refusalMessages());
  }

  private static void assertEveryAcknowledgedEventDelivered(
      PacedIngest load, Receiver receiver, String path) {
    Set<String> acknowledged = load.acknowledged();
    Eventually.await(
        "every acknowledged event delivered",
        Duration.ofSeconds(60),
        () -> {
          Set<String> missing = new HashSet<>(acknowledged);
          receiver.requests(path).forEach(r -> missing.remove(botId(r.bodyText())));
          return missing.size();
        },
        missing -> missing == 0);
  }

  /** The bot, named as its one event ({@link PacedIngest}). */
  private static String botId(String body) {
    String key = "\"bot_id\":\"";
    int start = body.indexOf(key) + key.length();
    return body.substring(start, body.indexOf('"', start));
  }

  /** The dispatcher's threads outlived the outage. */
  private static void assertDeliveryThreadsAlive() {
    List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
    for (String thread : List.of("herald-dispatcher", "herald-records-1", "herald-records-2")) {
      assertTrue(names.contains(thread), thread + " is alive among " + names);
    }
  }

  /** How many lines of each kind, by their first words. */
  private static Map<String, Long> kinds(List<String> lines) {
    return lines.stream()
        .map(l -> l.lines().findFirst().orElse(""))
        .map(l -> l.substring(0, Math.min(50, l.length())))
        .collect(Collectors.groupingBy(l -> l, TreeMap::new, Collectors.counting()));
  }

  private static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
