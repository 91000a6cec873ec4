package dev.herald.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL left running by a Herald that was killed outright (kill -9 stops the JVM, not the
 * database it started). It still holds the data directory, so it is asked to shut down before a new
 * one starts there; its clients are gone, so a fast shutdown loses nothing committed.
 */
final class OrphanedPostmaster {
  private static final Logger log = LoggerFactory.getLogger(OrphanedPostmaster.class);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  private OrphanedPostmaster() {}

  static void stopIfRunning(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
    if (lines.isEmpty() || !lines.get(0).trim().matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> postmaster =
        ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (postmaster.isEmpty()) {
      return; // a stale pid file; PostgreSQL itself deals with it
    }
    log.warn(
        "Found PostgreSQL (pid {}) still running in {} after an unclean stop; shutting it down",
        postmaster.get().pid(),
        dataDirectory);
    // SIGTERM: PostgreSQL's smart shutdown, immediate here since its clients died with Herald.
    postmaster.get().destroy();
    try {
      postmaster.get().onExit().get(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the orphaned PostgreSQL to stop", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "PostgreSQL (pid "
              + postmaster.get().pid()
              + ") in "
              + dataDirectory
              + " did not stop within "
              + SHUTDOWN_WAIT.toSeconds()
              + " s; stop it and start Herald again",
          e);
    }
  }
}
