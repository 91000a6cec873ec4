package dev.herald.domain.secret;

import java.util.Optional;

/** Stored signing secrets, one per project. */
public interface SigningSecretRepository {

  Optional<SigningSecret> find(String projectId);

  /**
   * Stores {@code candidate} unless the project already has a secret, and returns the one that
   * is stored. Safe when several callers race to create the first secret.
   */
  SigningSecret insertIfAbsent(SigningSecret candidate);
}
