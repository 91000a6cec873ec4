package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts signing keys for storage with AES-256-GCM under the master key. Each key gets a fresh
 * 96-bit nonce, and its row's id, project and purpose are authenticated with it, so a ciphertext
 * copied onto another row or column does not decrypt.
 */
final class SecretCipher {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  record Sealed(byte[] nonce, byte[] ciphertext) {}

  private final SecretKeySpec key;
  private final SecureRandom random;

  SecretCipher(MasterKey masterKey, SecureRandom random) {
    this.key = new SecretKeySpec(masterKey.bytes(), "AES");
    this.random = requireNonNull(random, "random");
  }

  /** What a sealed value is for; part of what it is bound to, so a value cannot change roles. */
  enum Purpose {
    // The HMAC secret's binding predates purposes, and stays as it was so stored keys still open.
    HMAC_SECRET(""),
    ED25519_SEED("/ed25519");

    private final String suffix;

    Purpose(String suffix) {
      this.suffix = suffix;
    }
  }

  Sealed seal(UUID id, String projectId, Purpose purpose, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return new Sealed(nonce, run(Cipher.ENCRYPT_MODE, nonce, id, projectId, purpose, plaintext));
  }

  byte[] open(UUID id, String projectId, Purpose purpose, byte[] nonce, byte[] ciphertext) {
    return run(Cipher.DECRYPT_MODE, nonce, id, projectId, purpose, ciphertext);
  }

  private byte[] run(
      int mode, byte[] nonce, UUID id, String projectId, Purpose purpose, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD((id + "/" + projectId + purpose.suffix).getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      // The message names no key material; a wrong master key is the usual cause.
      throw new IllegalStateException(
          "signing secret "
              + id
              + " cannot be decrypted; is HERALD_MASTER_KEY the key it was stored with?");
    }
  }
}
