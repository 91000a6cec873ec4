package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Limits;
import dev.herald.domain.ProjectQuotas;
import dev.herald.domain.QuotaExceededException;
import dev.herald.domain.Violations;
import dev.herald.domain.access.ProjectScope;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A project's signing keys: made the first time anything needs one, and rotated without downtime,
 * the previous key signing alongside the new one for an overlap.
 */
public final class SigningSecretService {
  public static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);
  static final Duration MAX_OVERLAP = Duration.ofDays(30);
  static final int KEY_BYTES = 32;

  private final SigningSecretRepository secrets;
  private final ProjectQuotas quotas;
  private final SecureRandom random;
  private final Clock clock;

  public SigningSecretService(
      SigningSecretRepository secrets, ProjectQuotas quotas, SecureRandom random, Clock clock) {
    this.secrets = requireNonNull(secrets, "secrets");
    this.quotas = requireNonNull(quotas, "quotas");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
  }

  public ProjectSecrets get(ProjectScope scope, String projectId) {
    checkProject(projectId);
    scope.requireProject(projectId);
    return ensureExists(projectId);
  }

  /**
   * Makes a new current key. Requests keep carrying a signature from the previous key until the
   * overlap ends (a null overlap means the default, 24 hours).
   */
  public ProjectSecrets rotate(ProjectScope scope, String projectId, Duration overlap) {
    checkProject(projectId);
    scope.requireProject(projectId);
    Duration effective = overlap == null ? DEFAULT_OVERLAP : overlap;
    if (effective.isNegative() || effective.compareTo(MAX_OVERLAP) > 0) {
      throw InvalidArgumentException.of(
          "overlap", "must be between 0 and " + MAX_OVERLAP.toDays() + " days");
    }
    Instant now = now();
    List<SigningSecret> signing =
        secrets.signingAt(projectId, now).map(ProjectSecrets::all).orElse(List.of());
    if (signing.size() >= quotas.signingKeys()) {
      // Every attempt signs with every key that signs: keys must not pile up without bound.
      Instant firstEnd =
          signing.stream()
              .map(SigningSecret::expireTime)
              .filter(t -> t != null)
              .min(Instant::compareTo)
              .orElse(now);
      throw new QuotaExceededException(
          "project "
              + projectId
              + " has "
              + signing.size()
              + " keys signing, its quota; another "
              + "rotation is possible from "
              + firstEnd
              + ", when the oldest stops signing");
    }
    secrets.rotate(newSecret(projectId, now), now.plus(effective));
    return load(projectId, now);
  }

  /**
   * Sets which schemes the project's requests carry in {@code webhook-signature}: {@code v1},
   * {@code v1a} or both. Requests claimed from then on carry them, retries of older deliveries
   * included.
   */
  public ProjectSecrets updateSchemes(
      ProjectScope scope, String projectId, Collection<String> schemeNames) {
    checkProject(projectId);
    Set<SignatureScheme> schemes = SignatureScheme.parse("schemes", schemeNames);
    scope.requireProject(projectId);
    ensureExists(projectId);
    Instant now = now();
    secrets.setSchemes(projectId, schemes, now);
    return load(projectId, now);
  }

  /**
   * The project's signing, its first key made if it has none. A current key made before Herald
   * signed with Ed25519 gets its pair here, so a project that turns {@code v1a} on has one.
   */
  public ProjectSecrets ensureExists(String projectId) {
    Instant now = now();
    Optional<ProjectSecrets> signing = secrets.signingAt(projectId, now);
    if (signing.isEmpty()) {
      secrets.insertIfNoCurrent(newSecret(projectId, now));
    } else if (signing.get().current().ed25519() == null) {
      SigningSecret current = signing.get().current();
      secrets.addEd25519IfMissing(current.id(), projectId, Ed25519KeyPair.generate(random));
    } else {
      return signing.get();
    }
    return load(projectId, now);
  }

  private ProjectSecrets load(String projectId, Instant now) {
    return secrets
        .signingAt(projectId, now)
        .orElseThrow(() -> new IllegalStateException("project " + projectId + " has no key"));
  }

  private SigningSecret newSecret(String projectId, Instant now) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    return new SigningSecret(
        UUID.randomUUID(), projectId, key, now, null, Ed25519KeyPair.generate(random));
  }

  private static void checkProject(String projectId) {
    new Violations().requireToken("project_id", projectId, Limits.ID_LENGTH).throwIfAny();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
