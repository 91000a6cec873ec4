package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.CreateApiKeyRequest;
import dev.herald.proto.v1.CreateApiKeyResponse;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListApiKeysRequest;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.RecoverDeliveriesRequest;
import dev.herald.proto.v1.RetryDeliveryRequest;
import dev.herald.proto.v1.RevokeApiKeyRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.SendTestEventRequest;
import dev.herald.proto.v1.UpdateSigningSettingsRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every RPC against every kind of bad credential: the right status, and not one row changed.
 * Project "alpha" owns everything the calls name; "beta" is the neighbour whose admin key must find
 * nothing of alpha's.
 *
 * <p>Past 250 lines as one class because its cases walk one table of every RPC with its role and
 * call, set up once with both projects' data.
 */
class AccessIT extends ServerWithReceiver {
  private static final String ALPHA = "proj-access-alpha";
  private static final String BETA = "proj-access-beta";

  private static String alphaAdmin;
  private static String alphaRead;
  private static String alphaIngest;
  private static String alphaRevoked;
  private static String alphaSpareKeyId;
  private static String betaAdmin;
  private static Webhook alphaWebhook;
  private static String alphaDelivery;
  private static String betaDelivery;

  /** The kinds of credential a refused call may carry. */
  private enum Credential {
    NONE,
    MALFORMED,
    REVOKED,
    OTHER_PROJECT,
    LACKING_ROLE
  }

  private record Rpc(String name, String role, Consumer<Client> call) {}

  /** Stubs of every service on one channel. */
  private record Client(ManagedChannel channel) {
    WebhookServiceGrpc.WebhookServiceBlockingStub webhooks() {
      return deadline(WebhookServiceGrpc.newBlockingStub(channel));
    }

    IngestionServiceGrpc.IngestionServiceBlockingStub ingestion() {
      return deadline(IngestionServiceGrpc.newBlockingStub(channel));
    }

    DeliveryServiceGrpc.DeliveryServiceBlockingStub deliveries() {
      return deadline(DeliveryServiceGrpc.newBlockingStub(channel));
    }

    ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys() {
      return deadline(ApiKeyServiceGrpc.newBlockingStub(channel));
    }

    private static <S extends AbstractStub<S>> S deadline(S stub) {
      return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    }
  }

  @BeforeAll
  static void twoProjectsWithKeysWebhooksAndDeliveries() {
    receiver.on("/access", i -> Receiver.Reply.status(200, "ok"));
    Client admin = new Client(herald.channel());
    alphaAdmin = createKey(admin, ALPHA, "admin").getToken();
    alphaRead = createKey(admin, ALPHA, "read").getToken();
    alphaIngest = createKey(admin, ALPHA, "ingest").getToken();
    CreateApiKeyResponse revoked = createKey(admin, ALPHA, "admin");
    admin
        .keys()
        .revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(revoked.getApiKey().getId()).build());
    alphaRevoked = revoked.getToken();
    alphaSpareKeyId = createKey(admin, ALPHA, "read").getApiKey().getId();
    betaAdmin = createKey(admin, BETA, "admin").getToken();

    alphaWebhook = admin.webhooks().createWebhook(Requests.webhook(ALPHA, receiver.url("/access")));
    admin.webhooks().createWebhook(Requests.webhook(BETA, receiver.url("/access")));
    alphaDelivery =
        admin
            .ingestion()
            .ingestStateChange(Requests.stateChange(ALPHA, "bot-a").build())
            .getDeliveryIds(0);
    betaDelivery =
        admin
            .ingestion()
            .ingestStateChange(Requests.stateChange(BETA, "bot-b").build())
            .getDeliveryIds(0);
    herald.awaitStatus(alphaDelivery, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    herald.awaitStatus(betaDelivery, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
  }

  /** Every RPC, each naming only alpha's things, with the role it needs. */
  private static List<Rpc> everyRpc() {
    List<Rpc> rpcs = new ArrayList<>();
    rpcs.add(
        new Rpc(
            "CreateWebhook",
            "admin",
            c -> c.webhooks().createWebhook(Requests.webhook(ALPHA, receiver.url("/access")))));
    rpcs.add(
        new Rpc(
            "GetWebhook",
            "read",
            c ->
                c.webhooks()
                    .getWebhook(
                        GetWebhookRequest.newBuilder().setId(alphaWebhook.getId()).build())));
    rpcs.add(
        new Rpc(
            "ListWebhooks",
            "read",
            c ->
                c.webhooks()
                    .listWebhooks(ListWebhooksRequest.newBuilder().setProjectId(ALPHA).build())));
    rpcs.add(
        new Rpc(
            "UpdateWebhook",
            "admin",
            c ->
                c.webhooks()
                    .updateWebhook(
                        UpdateWebhookRequest.newBuilder()
                            .setId(alphaWebhook.getId())
                            .setActive(true)
                            .build())));
    rpcs.add(
        new Rpc(
            "SendTestEvent",
            "admin",
            c ->
                c.webhooks()
                    .sendTestEvent(
                        SendTestEventRequest.newBuilder()
                            .setWebhookId(alphaWebhook.getId())
                            .build())));
    rpcs.add(
        new Rpc(
            "GetSigningSecret",
            "admin",
            c ->
                c.webhooks()
                    .getSigningSecret(
                        GetSigningSecretRequest.newBuilder().setProjectId(ALPHA).build())));
    rpcs.add(
        new Rpc(
            "RotateSigningSecret",
            "admin",
            c ->
                c.webhooks()
                    .rotateSigningSecret(
                        RotateSigningSecretRequest.newBuilder().setProjectId(ALPHA).build())));
    rpcs.add(
        new Rpc(
            "UpdateSigningSettings",
            "admin",
            c ->
                c.webhooks()
                    .updateSigningSettings(
                        UpdateSigningSettingsRequest.newBuilder()
                            .setProjectId(ALPHA)
                            .addSchemes("v1")
                            .build())));
    rpcs.add(
        new Rpc(
            "IngestStateChange",
            "ingest",
            c -> c.ingestion().ingestStateChange(Requests.stateChange(ALPHA, "bot-a").build())));
    rpcs.add(
        new Rpc(
            "ListDeliveries",
            "read",
            c ->
                c.deliveries()
                    .listDeliveries(
                        ListDeliveriesRequest.newBuilder().setProjectId(ALPHA).build())));
    rpcs.add(
        new Rpc(
            "GetDelivery",
            "read",
            c ->
                c.deliveries()
                    .getDelivery(GetDeliveryRequest.newBuilder().setId(alphaDelivery).build())));
    rpcs.add(
        new Rpc(
            "RetryDelivery",
            "admin",
            c ->
                c.deliveries()
                    .retryDelivery(
                        RetryDeliveryRequest.newBuilder().setId(alphaDelivery).build())));
    rpcs.add(
        new Rpc(
            "RecoverDeliveries",
            "admin",
            c ->
                c.deliveries()
                    .recoverDeliveries(
                        RecoverDeliveriesRequest.newBuilder()
                            .setProjectId(ALPHA)
                            .setWebhookId(alphaWebhook.getId())
                            .build())));
    rpcs.add(
        new Rpc(
            "CreateApiKey",
            "admin",
            c ->
                c.keys()
                    .createApiKey(
                        CreateApiKeyRequest.newBuilder()
                            .setProjectId(ALPHA)
                            .addRoles("read")
                            .build())));
    rpcs.add(
        new Rpc(
            "ListApiKeys",
            "admin",
            c ->
                c.keys().listApiKeys(ListApiKeysRequest.newBuilder().setProjectId(ALPHA).build())));
    rpcs.add(
        new Rpc(
            "RevokeApiKey",
            "admin",
            c ->
                c.keys()
                    .revokeApiKey(
                        RevokeApiKeyRequest.newBuilder().setId(alphaSpareKeyId).build())));
    // Last: the control run below must not delete the webhook the others name.
    rpcs.add(
        new Rpc(
            "DeleteWebhook",
            "admin",
            c ->
                c.webhooks()
                    .deleteWebhook(
                        DeleteWebhookRequest.newBuilder().setId(alphaWebhook.getId()).build())));
    return rpcs;
  }

  @Test
  void refusedCallsGetTheirCodeAndChangeNothing() {
    long unary =
        Stream.of(
                WebhookServiceGrpc.getServiceDescriptor(),
                IngestionServiceGrpc.getServiceDescriptor(),
                DeliveryServiceGrpc.getServiceDescriptor(),
                ApiKeyServiceGrpc.getServiceDescriptor())
            .flatMap(service -> service.getMethods().stream())
            .filter(method -> method.getType() == MethodDescriptor.MethodType.UNARY)
            .count();
    assertEquals(unary, everyRpc().size(), "one entry per unary RPC of the four services");
    Map<String, List<String>> before = herald.snapshot();
    Map<String, String> wrong = new LinkedHashMap<>();
    int calls = 0;
    for (Rpc rpc : everyRpc()) {
      for (Credential credential : Credential.values()) {
        Status.Code expected = expected(credential);
        ManagedChannel channel = channel(header(credential, rpc));
        try {
          StatusRuntimeException refused =
              assertThrows(
                  StatusRuntimeException.class,
                  () -> rpc.call().accept(new Client(channel)),
                  rpc.name() + " with " + credential);
          calls++;
          if (refused.getStatus().getCode() != expected) {
            wrong.put(rpc.name() + " with " + credential, refused.getStatus().toString());
          }
          String description = String.valueOf(refused.getStatus().getDescription());
          assertTrue(!description.contains("hrld_"), "no token in a status: " + description);
        } finally {
          channel.shutdownNow();
        }
      }
    }
    assertEquals(Map.of(), wrong, "RPC with credential → status, where not as expected");
    assertEquals(unary * Credential.values().length, calls);
    assertEquals(before, herald.snapshot(), "no refused call changed a row");

    // The same calls succeed with alpha's own admin key, so each refusal above was about the
    // credential and not about the request.
    ManagedChannel own = channel("Bearer " + alphaAdmin);
    try {
      for (Rpc rpc : everyRpc()) {
        rpc.call().accept(new Client(own));
      }
    } finally {
      own.shutdownNow();
    }
  }

  @Test
  void aProjectKeySeesNothingOfAnotherProjectThroughListsOrPageTokens() {
    Client beta = new Client(herald.channel());
    // A page token from beta's listing, used by alpha's read key on alpha's list.
    String second =
        beta.ingestion()
            .ingestStateChange(Requests.stateChange(BETA, "bot-b").build())
            .getDeliveryIds(0);
    herald.awaitStatus(second, DeliveryStatus.DELIVERY_STATUS_SUCCEEDED);
    ListDeliveriesResponse betaPage =
        beta.deliveries()
            .listDeliveries(
                ListDeliveriesRequest.newBuilder().setProjectId(BETA).setPageSize(1).build());
    assertTrue(!betaPage.getNextPageToken().isEmpty());
    ManagedChannel alpha = channel("Bearer " + alphaRead);
    try {
      Client reader = new Client(alpha);
      ListDeliveriesResponse crafted =
          reader
              .deliveries()
              .listDeliveries(
                  ListDeliveriesRequest.newBuilder()
                      .setProjectId(ALPHA)
                      .setPageToken(betaPage.getNextPageToken())
                      .build());
      assertTrue(
          crafted.getDeliveriesList().stream().allMatch(d -> d.getProjectId().equals(ALPHA)),
          crafted.toString());

      StatusRuntimeException betaList =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  reader
                      .deliveries()
                      .listDeliveries(
                          ListDeliveriesRequest.newBuilder()
                              .setProjectId(BETA)
                              .setPageToken(betaPage.getNextPageToken())
                              .build()));
      assertEquals(Status.Code.NOT_FOUND, betaList.getStatus().getCode());
      StatusRuntimeException betaGet =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  reader
                      .deliveries()
                      .getDelivery(GetDeliveryRequest.newBuilder().setId(betaDelivery).build()));
      assertEquals(Status.Code.NOT_FOUND, betaGet.getStatus().getCode());
      StatusRuntimeException unknown =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  reader
                      .deliveries()
                      .getDelivery(
                          GetDeliveryRequest.newBuilder()
                              .setId("00000000-0000-0000-0000-000000000000")
                              .build()));
      assertEquals(
          betaGet.getStatus().getDescription().replace(betaDelivery, "ID"),
          unknown
              .getStatus()
              .getDescription()
              .replace("00000000-0000-0000-0000-000000000000", "ID"),
          "another project's delivery reads exactly like one that does not exist");
    } finally {
      alpha.shutdownNow();
    }
  }

  @Test
  void aProjectAdminManagesOnlyItsOwnProjectsKeys() {
    ManagedChannel alpha = channel("Bearer " + alphaAdmin);
    try {
      Client admin = new Client(alpha);
      StatusRuntimeException global =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  admin
                      .keys()
                      .createApiKey(CreateApiKeyRequest.newBuilder().addRoles("admin").build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, global.getStatus().getCode());
      StatusRuntimeException other =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  admin
                      .keys()
                      .createApiKey(
                          CreateApiKeyRequest.newBuilder()
                              .setProjectId(BETA)
                              .addRoles("read")
                              .build()));
      assertEquals(Status.Code.NOT_FOUND, other.getStatus().getCode());

      var listed =
          admin.keys().listApiKeys(ListApiKeysRequest.getDefaultInstance()).getApiKeysList();
      assertTrue(!listed.isEmpty());
      assertTrue(listed.stream().allMatch(k -> k.getProjectId().equals(ALPHA)), listed.toString());
      assertTrue(
          listed.stream().noneMatch(k -> k.getTokenPrefix().length() > 11),
          "only a prefix is shown");

      CreateApiKeyResponse made =
          admin
              .keys()
              .createApiKey(
                  CreateApiKeyRequest.newBuilder().setProjectId(ALPHA).addRoles("read").build());
      assertTrue(made.getToken().matches("hrld_[A-Za-z0-9_-]{43}"), made.getToken());
      assertTrue(made.getToken().startsWith(made.getApiKey().getTokenPrefix()));
    } finally {
      alpha.shutdownNow();
    }
  }

  private static Status.Code expected(Credential credential) {
    return switch (credential) {
      case NONE, MALFORMED, REVOKED -> Status.Code.UNAUTHENTICATED;
      case OTHER_PROJECT -> Status.Code.NOT_FOUND;
      case LACKING_ROLE -> Status.Code.PERMISSION_DENIED;
    };
  }

  private static String header(Credential credential, Rpc rpc) {
    return switch (credential) {
      case NONE -> null;
      case MALFORMED -> "Basic " + alphaAdmin;
      case REVOKED -> "Bearer " + alphaRevoked;
      case OTHER_PROJECT -> "Bearer " + betaAdmin;
      case LACKING_ROLE -> "Bearer " + (rpc.role().equals("read") ? alphaIngest : alphaRead);
    };
  }

  private static ManagedChannel channel(String authorization) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("localhost", herald.port()).usePlaintext();
    if (authorization != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return builder.build();
  }

  private static CreateApiKeyResponse createKey(Client admin, String project, String role) {
    return admin
        .keys()
        .createApiKey(
            CreateApiKeyRequest.newBuilder()
                .setProjectId(project)
                .addRoles(role)
                .setName(role + " of " + project)
                .build());
  }
}
