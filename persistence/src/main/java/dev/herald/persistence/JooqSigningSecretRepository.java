package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.SIGNING_SECRETS;
import static dev.herald.persistence.jooq.Tables.SIGNING_SETTINGS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.Ed25519KeyPair;
import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SignatureScheme;
import dev.herald.domain.secret.SigningSecret;
import dev.herald.domain.secret.SigningSecretRepository;
import dev.herald.persistence.SecretCipher.Purpose;
import dev.herald.persistence.jooq.tables.records.SigningSecretsRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.InsertSetMoreStep;

/**
 * Signing keys, each sealed under the master key ({@link SecretCipher}), and the schemes each
 * project signs with.
 *
 * <p>Past 200 lines as one class because a key's two sealed parts, the HMAC secret and the Ed25519
 * seed, are written and read together in every statement here.
 */
final class JooqSigningSecretRepository implements SigningSecretRepository {
  private final Transactor transactor;
  private final SecretCipher cipher;

  JooqSigningSecretRepository(Transactor transactor, SecretCipher cipher) {
    this.transactor = requireNonNull(transactor, "transactor");
    this.cipher = requireNonNull(cipher, "cipher");
  }

  @Override
  public Optional<ProjectSecrets> signingAt(String projectId, Instant time) {
    return transactor.outsideTransaction(
        dsl -> Optional.ofNullable(signingAt(dsl, List.of(projectId), time).get(projectId)));
  }

  /**
   * Hand-written because every claim runs it: the keys of the projects in an array (the first
   * parameter) that sign at a time (the second), each project's newest first, with the schemes the
   * project signs with (null when never set).
   */
  static final String SIGNING_AT =
      """
      select s.id, s.project_id, s.key_nonce, s.key_ciphertext, s.create_time, s.expire_time,
             s.ed25519_public, s.ed25519_nonce, s.ed25519_ciphertext, p.schemes
        from signing_secrets s
        left join signing_settings p on p.project_id = s.project_id
       where s.project_id = any(?::text[])
         and (s.expire_time is null or s.expire_time > ?::timestamptz)
       order by s.project_id, s.create_time desc
      """;

  /** The signing of several projects at {@code time}; a project without keys is left out. */
  Map<String, ProjectSecrets> signingAt(
      DSLContext dsl, Collection<String> projectIds, Instant time) {
    Map<String, List<SigningSecret>> keys = new LinkedHashMap<>();
    Map<String, Set<SignatureScheme>> schemes = new HashMap<>();
    dsl.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(SIGNING_AT)) {
            statement.setString(1, ArrayLiterals.of(List.copyOf(projectIds)));
            statement.setObject(2, Times.toDb(time));
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                SigningSecret secret = fromRow(rows);
                keys.computeIfAbsent(secret.projectId(), p -> new ArrayList<>()).add(secret);
                schemes.computeIfAbsent(secret.projectId(), p -> StoredSchemes.of(rows));
              }
            }
          }
        });
    Map<String, ProjectSecrets> byProject = new HashMap<>();
    keys.forEach(
        (project, newestFirst) ->
            byProject.put(project, ProjectSecrets.of(newestFirst, schemes.get(project))));
    return byProject;
  }

  @Override
  public void insertIfNoCurrent(SigningSecret candidate) {
    transactor.outsideTransaction(
        dsl ->
            insert(dsl, candidate)
                .onConflict(SIGNING_SECRETS.PROJECT_ID)
                .where(SIGNING_SECRETS.EXPIRE_TIME.isNull())
                .doNothing()
                .execute());
  }

  @Override
  public void rotate(SigningSecret next, Instant previousExpireTime) {
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
          return insert(dsl, next).execute();
        });
  }

  /** The insert of a new key, its secret and Ed25519 seed sealed. */
  private InsertSetMoreStep<SigningSecretsRecord> insert(DSLContext dsl, SigningSecret secret) {
    SecretCipher.Sealed sealed = seal(secret);
    InsertSetMoreStep<SigningSecretsRecord> insert =
        dsl.insertInto(SIGNING_SECRETS)
            .set(SIGNING_SECRETS.ID, secret.id())
            .set(SIGNING_SECRETS.PROJECT_ID, secret.projectId())
            .set(SIGNING_SECRETS.KEY_NONCE, sealed.nonce())
            .set(SIGNING_SECRETS.KEY_CIPHERTEXT, sealed.ciphertext())
            .set(SIGNING_SECRETS.CREATE_TIME, Times.toDb(secret.createTime()));
    Ed25519KeyPair pair = secret.ed25519();
    if (pair == null) {
      return insert;
    }
    SecretCipher.Sealed seed = sealSeed(secret.id(), secret.projectId(), pair);
    return insert
        .set(SIGNING_SECRETS.ED25519_PUBLIC, pair.publicKey())
        .set(SIGNING_SECRETS.ED25519_NONCE, seed.nonce())
        .set(SIGNING_SECRETS.ED25519_CIPHERTEXT, seed.ciphertext());
  }

  @Override
  public void addEd25519IfMissing(UUID secretId, String projectId, Ed25519KeyPair pair) {
    SecretCipher.Sealed seed = sealSeed(secretId, projectId, pair);
    transactor.outsideTransaction(
        dsl ->
            dsl.update(SIGNING_SECRETS)
                .set(SIGNING_SECRETS.ED25519_PUBLIC, pair.publicKey())
                .set(SIGNING_SECRETS.ED25519_NONCE, seed.nonce())
                .set(SIGNING_SECRETS.ED25519_CIPHERTEXT, seed.ciphertext())
                .where(
                    SIGNING_SECRETS.ID.eq(secretId),
                    SIGNING_SECRETS.PROJECT_ID.eq(projectId),
                    SIGNING_SECRETS.ED25519_CIPHERTEXT.isNull())
                .execute());
  }

  @Override
  public void setSchemes(String projectId, Set<SignatureScheme> schemes, Instant now) {
    String[] names = schemes.stream().map(SignatureScheme::wireName).toArray(String[]::new);
    transactor.outsideTransaction(
        dsl ->
            dsl.insertInto(SIGNING_SETTINGS)
                .set(SIGNING_SETTINGS.PROJECT_ID, projectId)
                .set(SIGNING_SETTINGS.SCHEMES, names)
                .set(SIGNING_SETTINGS.UPDATE_TIME, Times.toDb(now))
                .onConflict(SIGNING_SETTINGS.PROJECT_ID)
                .doUpdate()
                .set(SIGNING_SETTINGS.SCHEMES, names)
                .set(SIGNING_SETTINGS.UPDATE_TIME, Times.toDb(now))
                .execute());
  }

  private SecretCipher.Sealed seal(SigningSecret secret) {
    return cipher.seal(secret.id(), secret.projectId(), Purpose.HMAC_SECRET, secret.key());
  }

  private SecretCipher.Sealed sealSeed(UUID id, String projectId, Ed25519KeyPair pair) {
    return cipher.seal(id, projectId, Purpose.ED25519_SEED, pair.seed());
  }

  private SigningSecret fromRow(ResultSet row) throws SQLException {
    UUID id = row.getObject("id", UUID.class);
    String projectId = row.getString("project_id");
    byte[] key =
        cipher.open(
            id,
            projectId,
            Purpose.HMAC_SECRET,
            row.getBytes("key_nonce"),
            row.getBytes("key_ciphertext"));
    byte[] seedCiphertext = row.getBytes("ed25519_ciphertext");
    Ed25519KeyPair ed25519 =
        seedCiphertext == null
            ? null
            : new Ed25519KeyPair(
                cipher.open(
                    id,
                    projectId,
                    Purpose.ED25519_SEED,
                    row.getBytes("ed25519_nonce"),
                    seedCiphertext),
                row.getBytes("ed25519_public"));
    return new SigningSecret(
        id,
        projectId,
        key,
        Times.fromDb(row.getObject("create_time", OffsetDateTime.class)),
        Times.fromDb(row.getObject("expire_time", OffsetDateTime.class)),
        ed25519);
  }
}
