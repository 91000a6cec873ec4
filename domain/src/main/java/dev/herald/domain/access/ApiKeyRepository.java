package dev.herald.domain.access;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Where API keys live; tokens are only ever handled as their hashes. */
public interface ApiKeyRepository {
  void insert(ApiKey key, byte[] tokenHash);

  /** Inserts the key or, if its id exists, replaces its hash and makes it valid again. */
  void upsert(ApiKey key, byte[] tokenHash);

  /** The unrevoked key with this token hash. */
  Optional<ApiKey> findActiveByHash(byte[] tokenHash);

  Optional<ApiKey> find(UUID id);

  /** Keys of one project, or of every project and the global ones when empty. */
  Page<ApiKey> list(Optional<String> projectId, PageRequest page);

  /** Sets the revoke time unless already revoked; false when no unrevoked key had this id. */
  boolean revoke(UUID id, Instant at);

  /** Whether any key was ever made, revoked ones included. */
  boolean hasAny();
}
