package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.CreateApiKeyRequest;
import dev.herald.proto.v1.ListApiKeysRequest;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.RevokeApiKeyRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What grpcurl and load balancers rely on, and that nothing else is open. */
class ServerIT {
  private static final ListWebhooksRequest LIST =
      ListWebhooksRequest.newBuilder().setProjectId("p").build();

  @Test
  void servesHealthAndReflectionForGrpcurl() throws Exception {
    try (HeraldFixture herald = HeraldFixture.start()) {
      HealthCheckResponse health =
          HealthGrpc.newBlockingStub(herald.channel())
              .check(HealthCheckRequest.getDefaultInstance());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

      List<String> services = listServices(herald);
      assertTrue(
          services.containsAll(
              List.of(
                  "herald.v1.ApiKeyService",
                  "herald.v1.WebhookService",
                  "herald.v1.IngestionService",
                  "herald.v1.DeliveryService",
                  "grpc.health.v1.Health")),
          services.toString());
    }
  }

  @Test
  void servesReflectionV1alphaForOlderClients() throws Exception {
    try (HeraldFixture herald = HeraldFixture.start()) {
      CompletableFuture<List<String>> services = new CompletableFuture<>();
      io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(herald.channel())
          .serverReflectionInfo(
              new StreamObserver<>() {
                @Override
                public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse response) {
                  services.complete(
                      response.getListServicesResponse().getServiceList().stream()
                          .map(io.grpc.reflection.v1alpha.ServiceResponse::getName)
                          .toList());
                }

                @Override
                public void onError(Throwable t) {
                  services.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {}
              })
          .onNext(
              io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
                  .setListServices("")
                  .build());
      List<String> listed = services.get(10, TimeUnit.SECONDS);
      assertTrue(
          listed.containsAll(
              List.of("herald.v1.WebhookService", "grpc.reflection.v1alpha.ServerReflection")),
          listed.toString());
    }
  }

  @Test
  void everyHeraldRpcNeedsAnApiKeyButHealthDoesNot() {
    try (HeraldFixture herald = HeraldFixture.start()) {
      ListWebhooksRequest list = ListWebhooksRequest.newBuilder().setProjectId("p").build();
      ManagedChannel anonymous = HeraldFixture.channel(herald.port(), null);
      try {
        StatusRuntimeException missing =
            assertThrows(
                StatusRuntimeException.class,
                () -> WebhookServiceGrpc.newBlockingStub(anonymous).listWebhooks(list));
        assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());
        assertEquals(
            HealthCheckResponse.ServingStatus.SERVING,
            HealthGrpc.newBlockingStub(anonymous)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus());
        StatusRuntimeException wrong =
            assertThrows(
                StatusRuntimeException.class,
                () -> withToken(anonymous, "Bearer nope").listWebhooks(list));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
      } finally {
        anonymous.shutdownNow();
      }
      assertEquals(0, herald.webhooks().listWebhooks(list).getWebhooksCount());
    }
  }

  @Test
  void changingTheAdminTokenReplacesTheConfiguredKey() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
    String first = "hrld_the-first-configured-admin-token-0000";
    String second = "hrld_the-second-configured-admin-token-111";
    settings.put("HERALD_ADMIN_TOKEN", first);
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      assertEquals(0, herald.webhooks().listWebhooks(LIST).getWebhooksCount());
    }
    settings.put("HERALD_ADMIN_TOKEN", second);
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      assertEquals(0, herald.webhooks().listWebhooks(LIST).getWebhooksCount());
      ManagedChannel old = HeraldFixture.channel(herald.port(), first);
      try {
        StatusRuntimeException refused =
            assertThrows(
                StatusRuntimeException.class,
                () -> WebhookServiceGrpc.newBlockingStub(old).listWebhooks(LIST));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
      } finally {
        old.shutdownNow();
      }
    }
  }

  @Test
  void theFirstKeyIsMadeForAnEmptyKeyTableOnly(@TempDir Path dataDir) throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_ADMIN_TOKEN");
    settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
    settings.put("HERALD_DATA_DIR", dataDir.toString());
    Path tokenFile = dataDir.resolve("admin.token");
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      ManagedChannel admin =
          HeraldFixture.channel(herald.port(), Files.readString(tokenFile).trim());
      try {
        ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys =
            ApiKeyServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS);
        String first =
            keys.listApiKeys(ListApiKeysRequest.getDefaultInstance()).getApiKeys(0).getId();
        keys.createApiKey(
            CreateApiKeyRequest.newBuilder().setProjectId("p").addRoles("read").build());
        keys.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(first).build());
      } finally {
        admin.shutdownNow();
      }
    }
    Files.delete(tokenFile);
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      assertFalse(
          Files.exists(tokenFile), "keys exist, though no admin key is left: no key is made");
    }
  }

  private static WebhookServiceGrpc.WebhookServiceBlockingStub withToken(
      ManagedChannel channel, String value) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
    return WebhookServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static List<String> listServices(HeraldFixture herald) throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(herald.channel())
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    names.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    List<String> result = names.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    return result;
  }
}
