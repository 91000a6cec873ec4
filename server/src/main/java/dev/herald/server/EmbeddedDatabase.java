package dev.herald.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL Herald runs by itself when no external database is configured: real PostgreSQL
 * binaries, its files under the data directory so that data survives restarts, listening on
 * loopback TCP only (no Unix socket), and every connection asked for a password (SCRAM). Herald
 * itself connects as {@link EmbeddedDatabaseRoles#HERALD_ROLE}, which owns Herald's schema and
 * nothing else: it cannot read the server's files or run programs, as a superuser could.
 *
 * <p>Should PostgreSQL die under Herald (killed, out of memory), Herald starts it again in place,
 * on the same port, within about a second: PostgreSQL replays its log, so every committed event is
 * still there, and the connection pools reconnect by themselves. Meanwhile calls are UNAVAILABLE.
 * Until it is back (its old processes may hold it for a moment), Herald tries again every second.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "postgres";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration WATCH_EVERY = Duration.ofSeconds(1);
  private static final Duration RESTART_FAILURE_LOG_EVERY = Duration.ofSeconds(30);

  private final Path directory;
  private final EmbeddedDatabasePasswords passwords;
  private final int port;
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "herald-embedded-postgres-watchdog");
            thread.setDaemon(true);
            return thread;
          });

  /** The running PostgreSQL; null while it is being started again. Guarded by this. */
  private EmbeddedPostgres postgres;

  private Optional<ProcessHandle> postmaster;
  private boolean closed;
  private long lastRestartFailureLog;

  private EmbeddedDatabase(
      EmbeddedPostgres postgres, Path directory, EmbeddedDatabasePasswords passwords) {
    this.postgres = postgres;
    this.directory = directory;
    this.passwords = passwords;
    this.port = postgres.getPort();
    this.postmaster = postmaster(directory);
  }

  static EmbeddedDatabase start(Path dataDir) {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    try {
      OwnerOnlyFiles.createDirectory(dataDir);
      Files.createDirectories(directory);
      OrphanedPostmaster.stopIfRunning(directory);
      EmbeddedDatabasePasswords passwords = EmbeddedDatabasePasswords.loadOrCreate(dataDir);
      EmbeddedDatabase database =
          new EmbeddedDatabase(startSecured(directory, passwords, 0), directory, passwords);
      database.watchdog.scheduleWithFixedDelay(
          database::keepRunning,
          WATCH_EVERY.toMillis(),
          WATCH_EVERY.toMillis(),
          TimeUnit.MILLISECONDS);
      return database;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL in " + directory, e);
    }
  }

  /** Starts PostgreSQL in {@code directory} on {@code port} (0: any free one), locked down. */
  private static EmbeddedPostgres startSecured(
      Path directory, EmbeddedDatabasePasswords passwords, int port) throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(directory)
            .setCleanDataDirectory(false)
            // Herald stops the database itself, after the last attempt has been recorded.
            .setRegisterShutdownHook(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            // A new cluster asks for passwords from its first start: initdb's last --auth wins
            // over the trust the library passes before it.
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("pwfile", passwords.superuserFile().toString())
            .setConnectConfig("password", passwords.superuser())
            .setServerConfig("listen_addresses", "localhost")
            .setServerConfig("unix_socket_directories", "")
            .setServerConfig("password_encryption", "scram-sha-256")
            // The embedded defaults trade durability for speed; an acknowledged event must
            // survive a crash.
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on");
    if (port != 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    try {
      EmbeddedDatabaseRoles.secure(postgres.getPostgresDatabase(), directory, passwords);
    } catch (SQLException | IOException | RuntimeException e) {
      postgres.close();
      throw new IllegalStateException(
          "could not secure embedded PostgreSQL in " + directory + ": " + e.getMessage(), e);
    }
    return postgres;
  }

  /** The watchdog's round: starts PostgreSQL again if its postmaster is gone. */
  private synchronized void keepRunning() {
    if (closed || (postgres != null && postmaster.map(ProcessHandle::isAlive).orElse(true))) {
      return;
    }
    if (postgres != null) {
      log.error(
          "Embedded PostgreSQL (pid {}) in {} stopped unexpectedly; starting it again",
          postmaster.map(ProcessHandle::pid).orElse(-1L),
          directory);
      closeQuietly(postgres); // releases the data directory's lock; there is nothing to stop
      postgres = null;
    }
    long start = System.nanoTime();
    try {
      postgres = startSecured(directory, passwords, port);
      postmaster = postmaster(directory);
      log.warn(
          "Embedded PostgreSQL started again on port {} in {} ms",
          port,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (IOException | RuntimeException e) {
      // Its old processes may hold the shared memory for a moment: try again next round.
      if (System.nanoTime() - lastRestartFailureLog > RESTART_FAILURE_LOG_EVERY.toNanos()) {
        lastRestartFailureLog = System.nanoTime();
        log.error("Embedded PostgreSQL could not be started again yet: {}", e.getMessage());
      }
    }
  }

  /** The postmaster named by the pid file PostgreSQL writes in its data directory. */
  private static Optional<ProcessHandle> postmaster(Path directory) {
    try {
      List<String> lines =
          Files.readAllLines(directory.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
      return lines.isEmpty() || !lines.get(0).trim().matches("\\d+")
          ? Optional.empty()
          : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
  }

  String user() {
    return EmbeddedDatabaseRoles.HERALD_ROLE;
  }

  String password() {
    return passwords.herald();
  }

  String describe() {
    return "embedded PostgreSQL in " + directory + " (port " + port + ")";
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    EmbeddedPostgres running;
    synchronized (this) {
      closed = true;
      running = postgres;
      postgres = null;
    }
    if (running != null) {
      try {
        running.close();
      } catch (IOException e) {
        throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
      }
    }
  }

  private static void closeQuietly(EmbeddedPostgres stopped) {
    try {
      stopped.close();
    } catch (IOException | RuntimeException e) {
      log.debug("Closing the stopped PostgreSQL: {}", e.getMessage());
    }
  }
}
