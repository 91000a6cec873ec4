package dev.herald.api;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Throwables;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.UncheckedExecutionException;
import dev.herald.domain.UnavailableException;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.access.Caller;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Finds the caller behind a token, remembering known tokens briefly so that a busy ingest path does
 * not look its key up on every call. Revoking through this instance takes effect at once; on other
 * instances within {@link #REMEMBER_FOR}.
 *
 * <p>Calls that arrive together with the same token wait for one lookup and share its answer, so a
 * busy caller whose key has just been forgotten costs the database one query, not one per call in
 * flight, and in an outage every such call hears the database's own answer.
 *
 * <p>Made-up tokens are cheap to refuse: one that was refused lately is refused again from memory,
 * and at most {@link #CONCURRENT_LOOKUPS} lookups reach the database at once, so a flood of tokens
 * nobody issued holds a few connections, never the pool the real calls need.
 */
final class ApiKeyAuthenticator {
  static final Duration REMEMBER_FOR = Duration.ofSeconds(5);
  static final Duration REMEMBER_UNKNOWN_FOR = Duration.ofSeconds(30);
  static final int CONCURRENT_LOOKUPS = 4;
  static final Duration LOOKUP_WAIT = Duration.ofSeconds(2);

  private final ApiKeyService keys;
  // Both caches are bounded: remembering refusals must not let random tokens fill the memory.
  private final Cache<String, Caller> known =
      CacheBuilder.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER_FOR).build();
  private final Cache<String, Boolean> unknown =
      CacheBuilder.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER_UNKNOWN_FOR).build();
  private final Semaphore lookups = new Semaphore(CONCURRENT_LOOKUPS);

  ApiKeyAuthenticator(ApiKeyService keys) {
    this.keys = requireNonNull(keys, "keys");
  }

  /**
   * @throws UnavailableException when the database cannot be asked: it is out of reach, or too many
   *     lookups are waiting for it already
   */
  Optional<Caller> authenticate(String token) {
    if (unknown.getIfPresent(token) != null) {
      return Optional.empty();
    }
    try {
      return Optional.of(known.get(token, () -> lookUp(token).orElseThrow(NotIssued::new)));
    } catch (UncheckedExecutionException e) {
      if (e.getCause() instanceof NotIssued) {
        unknown.put(token, Boolean.TRUE);
        return Optional.empty();
      }
      Throwables.throwIfUnchecked(e.getCause());
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("an API key lookup cannot fail with a checked exception", e);
    }
  }

  /** Whether {@link #authenticate} would answer without asking the database. */
  boolean answersFromMemory(String token) {
    return known.getIfPresent(token) != null || unknown.getIfPresent(token) != null;
  }

  private Optional<Caller> lookUp(String token) {
    try {
      if (!lookups.tryAcquire(LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new UnavailableException("too many API keys are being checked at once", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while checking the API key", e);
    }
    try {
      return keys.authenticate(token);
    } finally {
      lookups.release();
    }
  }

  void forgetAll() {
    known.invalidateAll();
    unknown.invalidateAll();
  }

  /** The token matches no active key; thrown out of the cache's loader, never further. */
  private static final class NotIssued extends RuntimeException {
    NotIssued() {
      super(null, null, false, false);
    }
  }
}
