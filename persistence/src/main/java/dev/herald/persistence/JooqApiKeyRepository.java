package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.API_KEYS;
import static java.util.Objects.requireNonNull;

import dev.herald.domain.access.ApiKey;
import dev.herald.domain.access.ApiKeyRepository;
import dev.herald.domain.access.Role;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageCursor;
import dev.herald.domain.page.PageRequest;
import dev.herald.persistence.jooq.tables.records.ApiKeysRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.impl.DSL;

final class JooqApiKeyRepository implements ApiKeyRepository {
  private final Transactor transactor;

  JooqApiKeyRepository(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  @Override
  public void insert(ApiKey key, byte[] tokenHash) {
    transactor.outsideTransaction(
        dsl -> dsl.insertInto(API_KEYS).set(toRecord(key, tokenHash)).execute());
  }

  @Override
  public void upsert(ApiKey key, byte[] tokenHash) {
    transactor.outsideTransaction(
        dsl ->
            dsl.insertInto(API_KEYS)
                .set(toRecord(key, tokenHash))
                .onConflict(API_KEYS.ID)
                .doUpdate()
                .set(API_KEYS.TOKEN_HASH, tokenHash)
                .set(API_KEYS.TOKEN_PREFIX, key.tokenPrefix())
                .set(API_KEYS.ROLES, roleNames(key.roles()))
                .setNull(API_KEYS.REVOKE_TIME)
                .execute());
  }

  @Override
  public Optional<ApiKey> findActiveByHash(byte[] tokenHash) {
    return transactor.outsideTransaction(
        dsl ->
            dsl.selectFrom(API_KEYS)
                .where(API_KEYS.TOKEN_HASH.eq(tokenHash), API_KEYS.REVOKE_TIME.isNull())
                .fetchOptional()
                .map(JooqApiKeyRepository::toDomain));
  }

  @Override
  public Optional<ApiKey> find(UUID id) {
    return transactor.outsideTransaction(
        dsl ->
            dsl.selectFrom(API_KEYS)
                .where(API_KEYS.ID.eq(id))
                .fetchOptional()
                .map(JooqApiKeyRepository::toDomain));
  }

  @Override
  public Page<ApiKey> list(Optional<String> projectId, PageRequest page) {
    Condition project = projectId.map(API_KEYS.PROJECT_ID::eq).orElse(DSL.noCondition());
    Condition after =
        page.after()
            .map(c -> DSL.row(API_KEYS.CREATE_TIME, API_KEYS.ID).gt(Times.toDb(c.time()), c.id()))
            .orElse(DSL.noCondition());
    var rows =
        transactor.outsideTransaction(
            dsl ->
                dsl.selectFrom(API_KEYS)
                    .where(project, after)
                    .orderBy(API_KEYS.CREATE_TIME, API_KEYS.ID)
                    .limit(page.size() + 1)
                    .fetch(JooqApiKeyRepository::toDomain));
    return Keysets.page(rows, page.size(), k -> new PageCursor(k.createTime(), k.id()));
  }

  @Override
  public boolean revoke(UUID id, Instant at) {
    return transactor.outsideTransaction(
            dsl ->
                dsl.update(API_KEYS)
                    .set(API_KEYS.REVOKE_TIME, Times.toDb(at))
                    .where(API_KEYS.ID.eq(id), API_KEYS.REVOKE_TIME.isNull())
                    .execute())
        == 1;
  }

  @Override
  public boolean hasAny() {
    return transactor.outsideTransaction(dsl -> dsl.fetchExists(API_KEYS));
  }

  private static ApiKeysRecord toRecord(ApiKey key, byte[] tokenHash) {
    ApiKeysRecord row = new ApiKeysRecord();
    row.setId(key.id());
    row.setProjectId(key.projectId().orElse(null));
    row.setName(key.name());
    row.setRoles(roleNames(key.roles()));
    row.setTokenHash(tokenHash);
    row.setTokenPrefix(key.tokenPrefix());
    row.setCreateTime(Times.toDb(key.createTime()));
    row.setRevokeTime(key.revokeTime().map(Times::toDb).orElse((OffsetDateTime) null));
    return row;
  }

  private static ApiKey toDomain(ApiKeysRecord row) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Arrays.stream(row.getRoles())
        .map(name -> Role.fromWireName(name).orElseThrow(() -> unknownRole(name)))
        .forEach(roles::add);
    return new ApiKey(
        row.getId(),
        Optional.ofNullable(row.getProjectId()),
        row.getName(),
        roles,
        row.getTokenPrefix(),
        Times.fromDb(row.getCreateTime()),
        Optional.ofNullable(row.getRevokeTime()).map(Times::fromDb));
  }

  private static IllegalStateException unknownRole(String name) {
    return new IllegalStateException("stored key has unknown role " + name);
  }

  private static String[] roleNames(Set<Role> roles) {
    return roles.stream().map(Role::wireName).sorted().toArray(String[]::new);
  }
}
