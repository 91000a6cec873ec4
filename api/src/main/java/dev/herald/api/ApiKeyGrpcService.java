package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Ids;
import dev.herald.domain.access.ApiKey;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.access.Caller;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** API key management; every change is logged with the key that made it (never a token). */
final class ApiKeyGrpcService extends ApiKeyServiceGrpc.ApiKeyServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyGrpcService.class);

  private final ApiKeyService keys;
  private final ApiKeyAuthenticator authenticator;

  ApiKeyGrpcService(ApiKeyService keys, ApiKeyAuthenticator authenticator) {
    this.keys = requireNonNull(keys, "keys");
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  @Override
  public void createApiKey(
      CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> response) {
    Caller caller = Callers.current();
    CreatedApiKey created = keys.create(caller, ApiKeyMapper.toDomain(request));
    log.info(
        "API key {} ({}, roles {}) created by key {}",
        created.key().id(),
        created.key().scope(),
        created.key().roles(),
        caller.keyId());
    Unary.reply(
        response,
        CreateApiKeyResponse.newBuilder()
            .setApiKey(ApiKeyMapper.toProto(created.key()))
            .setToken(created.token())
            .build());
  }

  @Override
  public void listApiKeys(
      ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> response) {
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
    Caller caller = Callers.current();
    ApiKey revoked = keys.revoke(caller, Ids.parse("id", request.getId()));
    authenticator.forgetAll();
    log.info("API key {} revoked by key {}", revoked.id(), caller.keyId());
    Unary.reply(response, ApiKeyMapper.toProto(revoked));
  }
}
