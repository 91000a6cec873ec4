package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.SIGNING_SECRETS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.SigningSecret;
import dev.herald.domain.secret.SigningSecretRepository;
import dev.herald.persistence.jooq.tables.records.SigningSecretsRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;

final class JooqSigningSecretRepository implements SigningSecretRepository {
  private final Transactor transactor;
  private final SecretCipher cipher;

  JooqSigningSecretRepository(Transactor transactor, SecretCipher cipher) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.cipher = requireNonNull(cipher, "cipher");
  }

  @Override
  public List<SigningSecret> signingAt(String projectId, Instant time) {
    return transactor.outsideTransaction(
        dsl -> signingAt(dsl, List.of(projectId), time).getOrDefault(projectId, List.of()));
  }

  /** The keys of several projects that sign at {@code time}, each project's newest first. */
  Map<String, List<SigningSecret>> signingAt(DSLContext dsl, Collection<String> projectIds, Instant time) {
    return dsl.selectFrom(SIGNING_SECRETS)
        .where(SIGNING_SECRETS.PROJECT_ID.in(projectIds), signingAt(time))
        .orderBy(SIGNING_SECRETS.PROJECT_ID, SIGNING_SECRETS.CREATE_TIME.desc())
        .fetch()
        .stream()
        .map(this::toDomain)
        .collect(Collectors.groupingBy(SigningSecret::projectId, Collectors.toList()));
  }

  @Override
  public void insertIfNoCurrent(SigningSecret candidate) {
    transactor.outsideTransaction(
        dsl -> {
          SecretCipher.Sealed sealed = seal(candidate);
          return dsl.insertInto(SIGNING_SECRETS)
              .set(SIGNING_SECRETS.ID, candidate.id())
              .set(SIGNING_SECRETS.PROJECT_ID, candidate.projectId())
              .set(SIGNING_SECRETS.KEY_NONCE, sealed.nonce())
              .set(SIGNING_SECRETS.KEY_CIPHERTEXT, sealed.ciphertext())
              .set(SIGNING_SECRETS.CREATE_TIME, Times.toDb(candidate.createTime()))
              .onConflict(SIGNING_SECRETS.PROJECT_ID)
              .where(SIGNING_SECRETS.EXPIRE_TIME.isNull())
              .doNothing()
              .execute();
        });
  }

  @Override
  public void rotate(SigningSecret next, Instant previousExpireTime) {
    SecretCipher.Sealed sealed = seal(next);
    transactor.inTransaction(
        dsl -> {
          // Retiring the current key first frees the one-current-key index for the new one, and
          // makes concurrent rotations of one project take turns.
          dsl.update(SIGNING_SECRETS)
              .set(SIGNING_SECRETS.EXPIRE_TIME, Times.toDb(previousExpireTime))
              .where(SIGNING_SECRETS.PROJECT_ID.eq(next.projectId()), SIGNING_SECRETS.EXPIRE_TIME.isNull())
              .execute();
          return dsl.insertInto(SIGNING_SECRETS)
              .set(SIGNING_SECRETS.ID, next.id())
              .set(SIGNING_SECRETS.PROJECT_ID, next.projectId())
              .set(SIGNING_SECRETS.KEY_NONCE, sealed.nonce())
              .set(SIGNING_SECRETS.KEY_CIPHERTEXT, sealed.ciphertext())
              .set(SIGNING_SECRETS.CREATE_TIME, Times.toDb(next.createTime()))
              .execute();
        });
  }

  private static Condition signingAt(Instant time) {
    return SIGNING_SECRETS.EXPIRE_TIME.isNull().or(SIGNING_SECRETS.EXPIRE_TIME.gt(Times.toDb(time)));
  }

  private SecretCipher.Sealed seal(SigningSecret secret) {
    return cipher.seal(secret.id(), secret.projectId(), secret.key());
  }

  private SigningSecret toDomain(SigningSecretsRecord row) {
    byte[] key = cipher.open(row.getId(), row.getProjectId(), row.getKeyNonce(), row.getKeyCiphertext());
    return new SigningSecret(
        row.getId(), row.getProjectId(), key, Times.fromDb(row.getCreateTime()), Times.fromDb(row.getExpireTime()));
  }
}
