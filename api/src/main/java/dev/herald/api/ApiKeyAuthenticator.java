package dev.herald.api;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.access.Caller;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds the caller behind a token, remembering known tokens briefly so that a busy ingest path
 * does not look its key up on every call. Revoking through this instance takes effect at once;
 * on other instances within {@link #REMEMBER_FOR}.
 */
final class ApiKeyAuthenticator {
  static final Duration REMEMBER_FOR = Duration.ofSeconds(5);

  private final ApiKeyService keys;
  // Only known tokens are remembered: caching misses would let random tokens fill the memory.
  private final Cache<String, Caller> known =
      CacheBuilder.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER_FOR).build();

  ApiKeyAuthenticator(ApiKeyService keys) {
    this.keys = requireNonNull(keys, "keys");
  }

  Optional<Caller> authenticate(String token) {
    Caller cached = known.getIfPresent(token);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Caller> caller = keys.authenticate(token);
    caller.ifPresent(c -> known.put(token, c));
    return caller;
  }

  void forgetAll() {
    known.invalidateAll();
  }
}
