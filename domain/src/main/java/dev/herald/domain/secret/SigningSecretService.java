package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/** A project's signing secret, made the first time anything needs it. */
public final class SigningSecretService {
  static final int KEY_BYTES = 32;

  private final SigningSecretRepository secrets;
  private final SecureRandom random;
  private final Clock clock;

  public SigningSecretService(SigningSecretRepository secrets, SecureRandom random, Clock clock) {
    this.secrets = requireNonNull(secrets, "secrets");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
  }

  public SigningSecret get(String projectId) {
    new Violations().requireToken("project_id", projectId, Limits.ID_LENGTH).throwIfAny();
    return ensureExists(projectId);
  }

  public SigningSecret ensureExists(String projectId) {
    return secrets.find(projectId).orElseGet(() -> secrets.insertIfAbsent(newSecret(projectId)));
  }

  private SigningSecret newSecret(String projectId) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    return new SigningSecret(projectId, key, clock.instant().truncatedTo(ChronoUnit.MICROS));
  }
}
