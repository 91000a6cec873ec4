package dev.herald.domain.access;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.FailedPreconditionException;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Violations;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Creating, listing and revoking API keys, and finding the key behind a presented token. */
public final class ApiKeyService {
  /**
   * The key {@code HERALD_ADMIN_TOKEN} configures has this fixed id, so a new token replaces it.
   */
  public static final UUID CONFIGURED_KEY_ID =
      UUID.nameUUIDFromBytes("herald:HERALD_ADMIN_TOKEN".getBytes(StandardCharsets.UTF_8));

  static final int MAX_NAME_LENGTH = 200;

  private final ApiKeyRepository keys;
  private final SecureRandom random;
  private final Clock clock;

  public ApiKeyService(ApiKeyRepository keys, SecureRandom random, Clock clock) {
    this.keys = requireNonNull(keys, "keys");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
  }

  /** A project admin may create keys for its own project only; a global key only a global admin. */
  public CreatedApiKey create(Caller caller, NewApiKey request) {
    Violations violations = new Violations();
    violations.optionalToken("project_id", request.projectId(), Limits.ID_LENGTH);
    violations.optionalText("name", request.name(), MAX_NAME_LENGTH);
    Set<Role> roles = parseRoles(request, violations);
    violations.throwIfAny();

    Optional<String> project = Optional.ofNullable(request.projectId()).filter(p -> !p.isEmpty());
    if (project.isEmpty() && !caller.scope().isGlobal()) {
      throw InvalidArgumentException.of(
          "project_id", "is required: a project key can only create keys for its own project");
    }
    project.ifPresent(caller.scope()::requireProject);

    String token = ApiTokens.generate(random);
    ApiKey key =
        new ApiKey(
            UUID.randomUUID(),
            project,
            request.name() == null ? "" : request.name(),
            roles,
            ApiTokens.shownPart(token),
            now(),
            Optional.empty());
    keys.insert(key, ApiTokens.hash(token));
    return new CreatedApiKey(key, token);
  }

  /** The caller's own project's keys, or with a global key every key or one project's. */
  public Page<ApiKey> list(Caller caller, String projectId, PageRequest page) {
    new Violations().optionalToken("project_id", projectId, Limits.ID_LENGTH).throwIfAny();
    Optional<String> project = Optional.ofNullable(projectId).filter(p -> !p.isEmpty());
    project.ifPresent(caller.scope()::requireProject);
    return keys.list(project.or(() -> caller.scope().project()), page);
  }

  public ApiKey revoke(Caller caller, UUID id) {
    ApiKey key = keys.find(id).orElseThrow(() -> new NotFoundException("api key", id));
    if (!caller.scope().isGlobal() && key.projectId().isEmpty()) {
      throw new NotFoundException("api key", id);
    }
    key.projectId().ifPresent(p -> caller.scope().requireVisible(p, "api key", id));
    Instant now = now();
    if (!keys.revoke(id, now)) {
      throw new FailedPreconditionException("api key " + id + " is already revoked");
    }
    return new ApiKey(
        key.id(),
        key.projectId(),
        key.name(),
        key.roles(),
        key.tokenPrefix(),
        key.createTime(),
        Optional.of(now));
  }

  /** The caller a presented token stands for; empty for an unknown or revoked token. */
  public Optional<Caller> authenticate(String token) {
    return keys.findActiveByHash(ApiTokens.hash(token)).map(ApiKey::asCaller);
  }

  /**
   * Makes sure someone can call Herald. A configured admin token becomes (or replaces) the
   * configured global admin key; without one, a database that never had a key gets a new one,
   * returned with its token so that the token can be handed over once. Only an empty key table:
   * revoking every admin key must not make a restart mint a new one.
   */
  public Optional<CreatedApiKey> bootstrap(Optional<String> configuredToken) {
    Instant now = now();
    if (configuredToken.isPresent()) {
      String token = configuredToken.get();
      ApiKey key =
          new ApiKey(
              CONFIGURED_KEY_ID,
              Optional.empty(),
              "HERALD_ADMIN_TOKEN",
              EnumSet.of(Role.ADMIN),
              ApiTokens.shownPart(token),
              now,
              Optional.empty());
      keys.upsert(key, ApiTokens.hash(token));
      return Optional.empty();
    }
    // The configured key lives only as long as its setting.
    keys.revoke(CONFIGURED_KEY_ID, now);
    if (keys.hasAny()) {
      return Optional.empty();
    }
    String token = ApiTokens.generate(random);
    ApiKey first =
        new ApiKey(
            UUID.randomUUID(),
            Optional.empty(),
            "initial admin key",
            EnumSet.of(Role.ADMIN),
            ApiTokens.shownPart(token),
            now,
            Optional.empty());
    keys.insert(first, ApiTokens.hash(token));
    return Optional.of(new CreatedApiKey(first, token));
  }

  private static Set<Role> parseRoles(NewApiKey request, Violations violations) {
    if (request.roles().isEmpty()) {
      violations.add("roles", "is required: one or more of admin, ingest, read");
      return Set.of();
    }
    if (request.roles().size() > Role.values().length) {
      violations.add("roles", "must list each of admin, ingest, read at most once");
      return Set.of();
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : request.roles()) {
      Optional<Role> role = Role.fromWireName(name);
      if (role.isEmpty()) {
        violations.add("roles", "has an unknown role; use admin, ingest or read");
      } else {
        roles.add(role.get());
      }
    }
    return roles;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
