package dev.herald.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The PostgreSQL Herald runs by itself when no external database is configured: real PostgreSQL
 * binaries, its files under the data directory so that data survives restarts, listening on
 * loopback only.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final Path directory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path directory) {
    this.postgres = postgres;
    this.directory = directory;
  }

  static EmbeddedDatabase start(Path dataDir) {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    try {
      Files.createDirectories(directory);
      OrphanedPostmaster.stopIfRunning(directory);
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              // Herald stops the database itself, after the last attempt has been recorded.
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("listen_addresses", "localhost")
              // The embedded defaults trade durability for speed; an acknowledged event must
              // survive a crash.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .start();
      return new EmbeddedDatabase(postgres, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL in " + directory, e);
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  String describe() {
    return "embedded PostgreSQL in " + directory + " (port " + postgres.getPort() + ")";
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
    }
  }
}
