package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.SIGNING_SECRETS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.SigningSecret;
import dev.herald.domain.secret.SigningSecretRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

  /**
   * Hand-written because every claim runs it: the keys of the projects in an array (the first
   * parameter) that sign at a time (the second), each project's newest first.
   */
  static final String SIGNING_AT =
      """
      select id, project_id, key_nonce, key_ciphertext, create_time, expire_time
        from signing_secrets
       where project_id = any(?::text[])
         and (expire_time is null or expire_time > ?::timestamptz)
       order by project_id, create_time desc
      """;

  /** The keys of several projects that sign at {@code time}, each project's newest first. */
  Map<String, List<SigningSecret>> signingAt(
      DSLContext dsl, Collection<String> projectIds, Instant time) {
    Map<String, List<SigningSecret>> byProject = new HashMap<>();
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(SIGNING_AT)) {
            statement.setArray(1, connection.createArrayOf("text", projectIds.toArray()));
            statement.setObject(2, Times.toDb(time));
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                SigningSecret secret = fromRow(rows);
                byProject.computeIfAbsent(secret.projectId(), p -> new ArrayList<>()).add(secret);
              }
            }
          }
        });
    return byProject;
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
              .where(
                  SIGNING_SECRETS.PROJECT_ID.eq(next.projectId()),
                  SIGNING_SECRETS.EXPIRE_TIME.isNull())
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

  private SecretCipher.Sealed seal(SigningSecret secret) {
    return cipher.seal(secret.id(), secret.projectId(), secret.key());
  }

  private SigningSecret fromRow(ResultSet row) throws SQLException {
    UUID id = row.getObject("id", UUID.class);
    String projectId = row.getString("project_id");
    byte[] key =
        cipher.open(id, projectId, row.getBytes("key_nonce"), row.getBytes("key_ciphertext"));
    return new SigningSecret(
        id,
        projectId,
        key,
        Times.fromDb(row.getObject("create_time", OffsetDateTime.class)),
        Times.fromDb(row.getObject("expire_time", OffsetDateTime.class)));
  }
}
