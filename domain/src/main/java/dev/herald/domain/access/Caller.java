package dev.herald.domain.access;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.UUID;

/** Whoever made the current request: the API key it presented, and what that key allows. */
public record Caller(UUID keyId, ProjectScope scope, Set<Role> roles) {
  public Caller {
    requireNonNull(keyId, "keyId");
    requireNonNull(scope, "scope");
    roles = Set.copyOf(roles);
  }

  /** Admin keys may do everything within their scope. */
  public boolean has(Role role) {
    return roles.contains(role) || roles.contains(Role.ADMIN);
  }
}
