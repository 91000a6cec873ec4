package dev.herald.domain.secret;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Stored signing keys. Implementations keep them encrypted at rest. */
public interface SigningSecretRepository {

  /**
   * The project's keys that sign at {@code time}, newest first, with the schemes it signs with
   * ({@link SignatureScheme#DEFAULT} until set), read together; empty before first use.
   */
  Optional<ProjectSecrets> signingAt(String projectId, Instant time);

  /**
   * Stores {@code candidate} as the project's current key unless it already has one. Safe when
   * several callers race to create the first key.
   */
  void insertIfNoCurrent(SigningSecret candidate);

  /**
   * In one transaction: the current key, if any, stops being current and signs until {@code
   * previousExpireTime}; {@code next} becomes current.
   */
  void rotate(SigningSecret next, Instant previousExpireTime);

  /** Gives a key made before Herald signed with Ed25519 its pair, unless it has one already. */
  void addEd25519IfMissing(UUID secretId, String projectId, Ed25519KeyPair pair);

  void setSchemes(String projectId, Set<SignatureScheme> schemes, Instant now);
}
