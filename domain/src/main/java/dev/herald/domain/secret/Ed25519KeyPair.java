package dev.herald.domain.secret;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A signing key's Ed25519 pair for Standard Webhooks {@code v1a}: the 32-byte private seed, which
 * never leaves Herald, and the raw 32-byte public key receivers verify with. {@link #toString}
 * never shows the seed.
 */
@SuppressWarnings("ArrayRecordComponent") // raw key bytes, copied in and out
public record Ed25519KeyPair(byte[] seed, byte[] publicKey) {
  public static final String PUBLIC_PREFIX = "whpk_";
  private static final int KEY_BYTES = 32;

  public Ed25519KeyPair {
    if (seed.length != KEY_BYTES || publicKey.length != KEY_BYTES) {
      throw new IllegalArgumentException("Ed25519 keys are 32 bytes");
    }
    seed = seed.clone();
    publicKey = publicKey.clone();
  }

  /** A new pair from the JDK's own Ed25519. */
  public static Ed25519KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, random);
      KeyPair pair = generator.generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header and then the raw key.
      byte[] encoded = pair.getPublic().getEncoded();
      return new Ed25519KeyPair(
          seed, Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is unavailable", e);
    }
  }

  @Override
  public byte[] seed() {
    return seed.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The Standard Webhooks form of the public key, {@code whpk_<base64>}. */
  public String publicForm() {
    return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(publicKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519KeyPair other
        && Arrays.equals(seed, other.seed)
        && Arrays.equals(publicKey, other.publicKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "Ed25519KeyPair[public=" + publicForm() + ", seed=<redacted>]";
  }
}
