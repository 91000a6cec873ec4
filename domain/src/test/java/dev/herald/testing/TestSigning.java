package dev.herald.testing;

import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SignatureScheme;
import dev.herald.domain.secret.SigningSecret;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Signing for claims made by hand in tests: one all-zero HMAC key, the default scheme. */
public final class TestSigning {
  private TestSigning() {}

  public static ProjectSecrets hmacOnly(String projectId) {
    return ProjectSecrets.of(
        List.of(
            new SigningSecret(
                UUID.randomUUID(), projectId, new byte[32], Instant.EPOCH, null, null)),
        SignatureScheme.DEFAULT);
  }
}
