package dev.herald.api;

import dev.herald.domain.access.Role;
import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.Optional;

/**
 * The role each RPC needs. A method missing here is refused to everyone, so a new RPC is closed
 * until someone decides who may call it.
 */
final class MethodRoles {
  private static final Map<String, Role> ROLES =
      Map.ofEntries(
          entry(WebhookServiceGrpc.getCreateWebhookMethod(), Role.ADMIN),
          entry(WebhookServiceGrpc.getGetWebhookMethod(), Role.READ),
          entry(WebhookServiceGrpc.getListWebhooksMethod(), Role.READ),
          entry(WebhookServiceGrpc.getUpdateWebhookMethod(), Role.ADMIN),
          entry(WebhookServiceGrpc.getDeleteWebhookMethod(), Role.ADMIN),
          // The secret lets its holder forge deliveries, so reading it is an admin's business.
          entry(WebhookServiceGrpc.getGetSigningSecretMethod(), Role.ADMIN),
          entry(WebhookServiceGrpc.getRotateSigningSecretMethod(), Role.ADMIN),
          entry(WebhookServiceGrpc.getUpdateSigningSettingsMethod(), Role.ADMIN),
          entry(WebhookServiceGrpc.getSendTestEventMethod(), Role.ADMIN),
          entry(IngestionServiceGrpc.getIngestStateChangeMethod(), Role.INGEST),
          entry(DeliveryServiceGrpc.getListDeliveriesMethod(), Role.READ),
          entry(DeliveryServiceGrpc.getGetDeliveryMethod(), Role.READ),
          entry(DeliveryServiceGrpc.getWatchDeliveriesMethod(), Role.READ),
          entry(DeliveryServiceGrpc.getRetryDeliveryMethod(), Role.ADMIN),
          entry(DeliveryServiceGrpc.getRecoverDeliveriesMethod(), Role.ADMIN),
          entry(ApiKeyServiceGrpc.getCreateApiKeyMethod(), Role.ADMIN),
          entry(ApiKeyServiceGrpc.getListApiKeysMethod(), Role.ADMIN),
          entry(ApiKeyServiceGrpc.getRevokeApiKeyMethod(), Role.ADMIN));

  private MethodRoles() {}

  static Optional<Role> required(MethodDescriptor<?, ?> method) {
    return Optional.ofNullable(ROLES.get(method.getFullMethodName()));
  }

  private static Map.Entry<String, Role> entry(MethodDescriptor<?, ?> method, Role role) {
    return Map.entry(method.getFullMethodName(), role);
  }
}
