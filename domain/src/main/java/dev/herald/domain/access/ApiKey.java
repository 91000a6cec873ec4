package dev.herald.domain.access;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** An API key as Herald stores it: everything but the token, of which only a hash is kept. */
public record ApiKey(
    UUID id,
    Optional<String> projectId,
    String name,
    Set<Role> roles,
    String tokenPrefix,
    Instant createTime,
    Optional<Instant> revokeTime) {
  public ApiKey {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    requireNonNull(name, "name");
    roles = Set.copyOf(roles);
    requireNonNull(tokenPrefix, "tokenPrefix");
    requireNonNull(createTime, "createTime");
    requireNonNull(revokeTime, "revokeTime");
  }

  public ProjectScope scope() {
    return projectId.map(ProjectScope::only).orElse(ProjectScope.all());
  }

  public Caller asCaller() {
    return new Caller(id, scope(), roles);
  }
}
