package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * One signing key of a project: the HMAC secret and, for {@code v1a}, an Ed25519 pair ({@code
 * ed25519} is null for a key made before Herald signed with Ed25519 and not given a pair since).
 * The current key has no {@code expireTime}; a key replaced by a rotation keeps signing until its
 * {@code expireTime}. {@link #toString} never shows the key.
 */
@SuppressWarnings("ArrayRecordComponent") // the key's bytes, copied in and out, never compared
public record SigningSecret(
    UUID id,
    String projectId,
    byte[] key,
    Instant createTime,
    Instant expireTime,
    Ed25519KeyPair ed25519) {
  public static final String STANDARD_PREFIX = "whsec_";

  public SigningSecret {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    key = key.clone();
    requireNonNull(createTime, "createTime");
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  /** Standard base64 of the raw key: what receivers key their HMAC with after decoding. */
  public String base64() {
    return Base64.getEncoder().encodeToString(key);
  }

  /** The Standard Webhooks form, {@code whsec_<base64>}. */
  public String standardForm() {
    return STANDARD_PREFIX + base64();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningSecret other
        && id.equals(other.id)
        && projectId.equals(other.projectId)
        && Arrays.equals(key, other.key)
        && createTime.equals(other.createTime)
        && java.util.Objects.equals(expireTime, other.expireTime)
        && java.util.Objects.equals(ed25519, other.ed25519);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SigningSecret[id="
        + id
        + ", projectId="
        + projectId
        + ", key=<redacted>, createTime="
        + createTime
        + ", expireTime="
        + expireTime
        + ", ed25519="
        + ed25519
        + "]";
  }
}
