package dev.herald.domain.secret;

import dev.herald.domain.InvalidArgumentException;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * The Standard Webhooks signatures a project's requests carry in {@code webhook-signature}: {@code
 * v1} (HMAC-SHA256 with the shared secret) and {@code v1a} (Ed25519, verified with a public key).
 * {@code X-Webhook-Signature}, the product's documented HMAC header, is sent whatever the schemes.
 */
public enum SignatureScheme {
  V1("v1"),
  V1A("v1a");

  public static final Set<SignatureScheme> DEFAULT = EnumSet.of(V1);

  private final String wireName;

  SignatureScheme(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** At least one, each named once, each a known scheme; the error names {@code field}. */
  public static Set<SignatureScheme> parse(String field, Collection<String> names) {
    if (names.isEmpty()) {
      throw InvalidArgumentException.of(field, "must name at least one scheme: v1, v1a or both");
    }
    Set<SignatureScheme> schemes = EnumSet.noneOf(SignatureScheme.class);
    for (String name : names) {
      SignatureScheme scheme = byWireName(name);
      if (scheme == null) {
        throw InvalidArgumentException.of(field, "\"" + name + "\" is not a scheme: use v1 or v1a");
      }
      if (!schemes.add(scheme)) {
        throw InvalidArgumentException.of(field, "names " + name + " twice");
      }
    }
    return schemes;
  }

  /** The scheme stored under {@code name}, or null for a name this version does not know. */
  public static SignatureScheme byWireName(String name) {
    for (SignatureScheme scheme : values()) {
      if (scheme.wireName.equals(name)) {
        return scheme;
      }
    }
    return null;
  }
}
