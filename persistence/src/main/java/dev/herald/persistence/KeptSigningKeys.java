package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SigningSecret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jooq.DSLContext;

/**
 * The signing keys of the projects deliveries are claimed for, kept between claims so that a claim
 * whose projects are known is one round trip. What is kept holds for one generation of signing keys
 * (V24: every change to a key or to the schemes a project signs with moves it on), which each claim
 * reads in its own snapshot, and, for a project signing with a key that expires (the previous key
 * of a rotation), until that key's time. Keys stay open in memory while they are kept, as they do
 * while their deliveries are signed.
 */
final class KeptSigningKeys {
  private final JooqSigningSecretRepository secrets;

  private final KeptPerProject<Kept> kept = new KeptPerProject<>();

  private record Kept(ProjectSecrets signing, Instant until) {}

  KeptSigningKeys(JooqSigningSecretRepository secrets) {
    this.secrets = requireNonNull(secrets, "secrets");
  }

  /**
   * The signing of {@code projects} at {@code now}, for a claim made in {@code generation}: those
   * kept, and the rest read on {@code dsl}. A project without keys is left out, and not kept.
   */
  synchronized Map<String, ProjectSecrets> at(
      DSLContext dsl, Collection<String> projects, Instant now, long generation) {
    kept.holdFor(generation);
    Map<String, ProjectSecrets> signing = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String project : projects) {
      Kept keys = kept.get(project);
      if (keys != null && now.isBefore(keys.until())) {
        signing.put(project, keys.signing());
      } else {
        unknown.add(project);
      }
    }
    if (!unknown.isEmpty()) {
      secrets
          .signingAt(dsl, unknown, now)
          .forEach(
              (project, keys) -> {
                kept.put(project, new Kept(keys, firstExpiry(keys)));
                signing.put(project, keys);
              });
    }
    return signing;
  }

  private static Instant firstExpiry(ProjectSecrets keys) {
    return keys.all().stream()
        .map(SigningSecret::expireTime)
        .filter(Objects::nonNull)
        .min(Instant::compareTo)
        .orElse(Instant.MAX);
  }
}
