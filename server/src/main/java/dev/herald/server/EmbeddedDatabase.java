package dev.herald.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The PostgreSQL Herald runs by itself when no external database is configured: real PostgreSQL
 * binaries, its files under the data directory so that data survives restarts, listening on
 * loopback TCP only (no Unix socket), and every connection asked for a password (SCRAM). Herald
 * itself connects as {@link EmbeddedDatabaseRoles#HERALD_ROLE}, which owns Herald's schema and
 * nothing else: it cannot read the server's files or run programs, as a superuser could.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path directory;
  private final EmbeddedDatabasePasswords passwords;

  private EmbeddedDatabase(
      EmbeddedPostgres postgres, Path directory, EmbeddedDatabasePasswords passwords) {
    this.postgres = postgres;
    this.directory = directory;
    this.passwords = passwords;
  }

  static EmbeddedDatabase start(Path dataDir) {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    try {
      OwnerOnlyFiles.createDirectory(dataDir);
      Files.createDirectories(directory);
      OrphanedPostmaster.stopIfRunning(directory);
      EmbeddedDatabasePasswords passwords = EmbeddedDatabasePasswords.loadOrCreate(dataDir);
      EmbeddedPostgres postgres =
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
              .setServerConfig("synchronous_commit", "on")
              .start();
      try {
        EmbeddedDatabaseRoles.secure(postgres.getPostgresDatabase(), directory, passwords);
      } catch (SQLException | IOException | RuntimeException e) {
        postgres.close();
        throw new IllegalStateException(
            "could not secure embedded PostgreSQL in " + directory + ": " + e.getMessage(), e);
      }
      return new EmbeddedDatabase(postgres, directory, passwords);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL in " + directory, e);
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
  }

  String user() {
    return EmbeddedDatabaseRoles.HERALD_ROLE;
  }

  String password() {
    return passwords.herald();
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
