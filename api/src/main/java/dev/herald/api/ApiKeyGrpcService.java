package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Ids;
import dev.herald.domain.access.ApiKey;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.access.CreatedApiKey;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.CreateApiKeyRequest;
import dev.herald.proto.v1.CreateApiKeyResponse;
import dev.herald.proto.v1.ListApiKeysRequest;
import dev.herald.proto.v1.ListApiKeysResponse;
import dev.herald.proto.v1.RevokeApiKeyRequest;
import io.grpc.stub.StreamObserver;

final class ApiKeyGrpcService extends ApiKeyServiceGrpc.ApiKeyServiceImplBase {
  private final ApiKeyService keys;
  private final ApiKeyAuthenticator authenticator;

  ApiKeyGrpcService(ApiKeyService keys, ApiKeyAuthenticator authenticator) {
    this.keys = requireNonNull(keys, "keys");
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  @Override
  public void createApiKey(
      CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> response) {
    CreatedApiKey created = keys.create(Callers.current(), ApiKeyMapper.toDomain(request));
    Unary.reply(
        response,
        CreateApiKeyResponse.newBuilder()
            .setApiKey(ApiKeyMapper.toProto(created.key()))
            .setToken(created.token())
            .build());
  }

  @Override
  public void listApiKeys(ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> response) {
    PageRequest pageRequest = PageRequest.of(request.getPageSize(), request.getPageToken());
    Page<ApiKey> page = keys.list(Callers.current(), request.getProjectId(), pageRequest);
    Unary.reply(
        response,
        ListApiKeysResponse.newBuilder()
            .addAllApiKeys(page.items().stream().map(ApiKeyMapper::toProto).toList())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  @Override
  public void revokeApiKey(
      RevokeApiKeyRequest request, StreamObserver<dev.herald.proto.v1.ApiKey> response) {
    ApiKey revoked = keys.revoke(Callers.current(), Ids.parse("id", request.getId()));
    authenticator.forgetAll();
    Unary.reply(response, ApiKeyMapper.toProto(revoked));
  }
}
