package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.SIGNING_SECRETS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.SigningSecret;
import dev.herald.domain.secret.SigningSecretRepository;
import dev.herald.persistence.jooq.tables.records.SigningSecretsRecord;
import java.util.Optional;
import java.util.UUID;

final class JooqSigningSecretRepository implements SigningSecretRepository {
  private final Transactor transactor;

  JooqSigningSecretRepository(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  @Override
  public Optional<SigningSecret> find(String projectId) {
    return transactor.outsideTransaction(
        dsl ->
            dsl.selectFrom(SIGNING_SECRETS)
                .where(SIGNING_SECRETS.PROJECT_ID.eq(projectId))
                .fetchOptional()
                .map(JooqSigningSecretRepository::toDomain));
  }

  @Override
  public SigningSecret insertIfAbsent(SigningSecret candidate) {
    return transactor.inTransaction(
        dsl -> {
          dsl.insertInto(SIGNING_SECRETS)
              .set(SIGNING_SECRETS.ID, UUID.randomUUID())
              .set(SIGNING_SECRETS.PROJECT_ID, candidate.projectId())
              .set(SIGNING_SECRETS.SECRET_KEY, candidate.key())
              .set(SIGNING_SECRETS.CREATE_TIME, Times.toDb(candidate.createTime()))
              .onConflict(SIGNING_SECRETS.PROJECT_ID)
              .doNothing()
              .execute();
          return toDomain(
              dsl.selectFrom(SIGNING_SECRETS)
                  .where(SIGNING_SECRETS.PROJECT_ID.eq(candidate.projectId()))
                  .fetchSingle());
        });
  }

  private static SigningSecret toDomain(SigningSecretsRecord row) {
    return new SigningSecret(row.getProjectId(), row.getSecretKey(), Times.fromDb(row.getCreateTime()));
  }
}
