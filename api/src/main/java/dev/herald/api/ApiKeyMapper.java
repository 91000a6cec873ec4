package dev.herald.api;

import dev.herald.domain.access.ApiKey;
import dev.herald.domain.access.NewApiKey;
import dev.herald.domain.access.Role;
import dev.herald.proto.v1.CreateApiKeyRequest;

final class ApiKeyMapper {
  private ApiKeyMapper() {}

  static NewApiKey toDomain(CreateApiKeyRequest request) {
    return new NewApiKey(request.getProjectId(), request.getRolesList(), request.getName());
  }

  static dev.herald.proto.v1.ApiKey toProto(ApiKey key) {
    dev.herald.proto.v1.ApiKey.Builder proto =
        dev.herald.proto.v1.ApiKey.newBuilder()
            .setId(key.id().toString())
            .setProjectId(key.projectId().orElse(""))
            .setName(key.name())
            .setTokenPrefix(key.tokenPrefix())
            .setCreateTime(ProtoTimes.toProto(key.createTime()));
    key.roles().stream().sorted().map(Role::wireName).forEach(proto::addRoles);
    key.revokeTime().map(ProtoTimes::toProto).ifPresent(proto::setRevokeTime);
    return proto.build();
  }
}
