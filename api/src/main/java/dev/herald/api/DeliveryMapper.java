package dev.herald.api;

import dev.herald.domain.Ids;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryAttempt;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.WatchDeliveriesRequest;
import java.util.Optional;

final class DeliveryMapper {
  private DeliveryMapper() {}

  static DeliveryFilter toFilter(WatchDeliveriesRequest request) {
    return filter(
        request.getProjectId(), request.getBotId(), request.getWebhookId(), request.getStatus());
  }

  static DeliveryFilter toFilter(ListDeliveriesRequest request) {
    return filter(
        request.getProjectId(), request.getBotId(), request.getWebhookId(), request.getStatus());
  }

  private static DeliveryFilter filter(
      String projectId, String botId, String webhookId, DeliveryStatus status) {
    return new DeliveryFilter(
        projectId,
        botId.isEmpty() ? Optional.empty() : Optional.of(botId),
        webhookId.isEmpty() ? Optional.empty() : Optional.of(Ids.parse("webhook_id", webhookId)),
        toDomain(status));
  }

  private static Optional<dev.herald.domain.delivery.DeliveryStatus> toDomain(
      DeliveryStatus status) {
    return switch (status) {
      case DELIVERY_STATUS_UNSPECIFIED -> Optional.empty();
      case DELIVERY_STATUS_PENDING ->
          Optional.of(dev.herald.domain.delivery.DeliveryStatus.PENDING);
      case DELIVERY_STATUS_SUCCEEDED ->
          Optional.of(dev.herald.domain.delivery.DeliveryStatus.SUCCEEDED);
      case DELIVERY_STATUS_FAILED -> Optional.of(dev.herald.domain.delivery.DeliveryStatus.FAILED);
      case UNRECOGNIZED -> throw InvalidArgumentException.of("status", "unknown delivery status");
    };
  }

  static DeliveryStatus toProto(dev.herald.domain.delivery.DeliveryStatus status) {
    return switch (status) {
      case PENDING -> DeliveryStatus.DELIVERY_STATUS_PENDING;
      case SUCCEEDED -> DeliveryStatus.DELIVERY_STATUS_SUCCEEDED;
      case FAILED -> DeliveryStatus.DELIVERY_STATUS_FAILED;
    };
  }

  static dev.herald.proto.v1.Delivery toProto(Delivery delivery) {
    var proto =
        dev.herald.proto.v1.Delivery.newBuilder()
            .setId(delivery.id().toString())
            .setIdempotencyKey(delivery.idempotencyKey().toString())
            .setEventId(delivery.eventId())
            .setWebhookId(delivery.webhookId().toString())
            .setProjectId(delivery.projectId())
            .setBotId(delivery.botId())
            .setTrigger(delivery.trigger())
            .setUrl(delivery.url())
            .setStatus(toProto(delivery.status()))
            .setAttemptCount(delivery.attemptCount())
            .setWaitingInLine(delivery.waitingInLine())
            .setPayload(delivery.payload())
            .setCreateTime(ProtoTimes.toProto(delivery.createTime()));
    delivery.attempts().forEach(attempt -> proto.addAttempts(toProto(attempt)));
    if (delivery.lastAttemptTime() != null) {
      proto.setLastAttemptTime(ProtoTimes.toProto(delivery.lastAttemptTime()));
    }
    if (delivery.succeededTime() != null) {
      proto.setSucceededTime(ProtoTimes.toProto(delivery.succeededTime()));
    }
    if (delivery.nextAttemptTime() != null) {
      proto.setNextAttemptTime(ProtoTimes.toProto(delivery.nextAttemptTime()));
    }
    if (delivery.failureReason() != null) {
      proto.setFailureReason(delivery.failureReason());
    }
    return proto.build();
  }

  private static dev.herald.proto.v1.DeliveryAttempt toProto(DeliveryAttempt attempt) {
    return dev.herald.proto.v1.DeliveryAttempt.newBuilder()
        .setAttemptNumber(attempt.attemptNumber())
        .setUrl(attempt.url())
        .setStartTime(ProtoTimes.toProto(attempt.startTime()))
        .setDurationMs(attempt.duration().toMillis())
        .setResponseStatusCode(attempt.responseStatusCode())
        .setResponseBody(attempt.responseBody())
        .setError(attempt.error())
        .setSucceeded(attempt.succeeded())
        .build();
  }
}
