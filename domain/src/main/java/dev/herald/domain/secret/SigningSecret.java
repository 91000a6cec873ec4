package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/** A project's signing key. {@link #toString} never shows the key. */
public record SigningSecret(String projectId, byte[] key, Instant createTime) {
  public static final String STANDARD_PREFIX = "whsec_";

  public SigningSecret {
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
        && projectId.equals(other.projectId)
        && Arrays.equals(key, other.key)
        && createTime.equals(other.createTime);
  }

  @Override
  public int hashCode() {
    return 31 * projectId.hashCode() + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "SigningSecret[projectId=" + projectId + ", key=<redacted>, createTime=" + createTime + "]";
  }
}
