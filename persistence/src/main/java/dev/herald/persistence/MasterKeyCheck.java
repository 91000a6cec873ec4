package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.SIGNING_SECRETS;
import static java.util.Objects.requireNonNull;

/**
 * Proves at startup that the master key opens the stored secrets, so a wrong or lost key stops the
 * server at once instead of failing every delivery later.
 */
public final class MasterKeyCheck {
  private final Transactor transactor;
  private final SecretCipher cipher;

  MasterKeyCheck(Transactor transactor, SecretCipher cipher) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.cipher = requireNonNull(cipher, "cipher");
  }

  /**
   * @throws IllegalStateException when a stored secret does not decrypt under the master key
   */
  public void verify() {
    transactor
        .outsideTransaction(dsl -> dsl.selectFrom(SIGNING_SECRETS).limit(1).fetchOptional())
        .ifPresent(
            row ->
                cipher.open(
                    row.getId(),
                    row.getProjectId(),
                    SecretCipher.Purpose.HMAC_SECRET,
                    row.getKeyNonce(),
                    row.getKeyCiphertext()));
  }
}
