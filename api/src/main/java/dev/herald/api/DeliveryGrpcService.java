package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Ids;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.delivery.DeliveryRecoveryService;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.RecoverDeliveriesRequest;
import dev.herald.proto.v1.RecoverDeliveriesResponse;
import dev.herald.proto.v1.RetryDeliveryRequest;
import dev.herald.proto.v1.WatchDeliveriesRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

final class DeliveryGrpcService extends DeliveryServiceGrpc.DeliveryServiceImplBase {
  private final DeliveryQueryService deliveries;
  private final DeliveryRecoveryService recovery;
  private final Executor watchWriters;

  DeliveryGrpcService(
      DeliveryQueryService deliveries, DeliveryRecoveryService recovery, Executor watchWriters) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
    this.recovery = requireNonNull(recovery, "recovery");
    this.watchWriters = requireNonNull(watchWriters, "watchWriters");
  }

  @Override
  public void watchDeliveries(
      WatchDeliveriesRequest request,
      StreamObserver<dev.herald.proto.v1.DeliveryOutcome> response) {
    DeliveryFilter filter = DeliveryMapper.toFilter(request);
    ProjectScope scope = Callers.scope();
    OutcomeStream stream =
        new OutcomeStream(
            (ServerCallStreamObserver<dev.herald.proto.v1.DeliveryOutcome>) response, watchWriters);
    stream.start(listener -> deliveries.watch(scope, filter, listener));
  }

  @Override
  public void listDeliveries(
      ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> response) {
    PageRequest pageRequest = PageRequest.of(request.getPageSize(), request.getPageToken());
    Page<Delivery> page =
        deliveries.list(Callers.scope(), DeliveryMapper.toFilter(request), pageRequest);
    Unary.reply(
        response,
        ListDeliveriesResponse.newBuilder()
            .addAllDeliveries(page.items().stream().map(DeliveryMapper::toProto).toList())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  @Override
  public void getDelivery(
      GetDeliveryRequest request, StreamObserver<dev.herald.proto.v1.Delivery> response) {
    Delivery delivery = deliveries.get(Callers.scope(), Ids.parse("id", request.getId()));
    Unary.reply(response, DeliveryMapper.toProto(delivery));
  }

  @Override
  public void retryDelivery(
      RetryDeliveryRequest request, StreamObserver<dev.herald.proto.v1.Delivery> response) {
    Delivery delivery = recovery.retry(Callers.scope(), Ids.parse("id", request.getId()));
    Unary.reply(response, DeliveryMapper.toProto(delivery));
  }

  @Override
  public void recoverDeliveries(
      RecoverDeliveriesRequest request, StreamObserver<RecoverDeliveriesResponse> response) {
    int requeued =
        recovery.recover(
            Callers.scope(),
            request.getProjectId(),
            Ids.parse("webhook_id", request.getWebhookId()),
            request.hasSince() ? ProtoTimes.toInstant("since", request.getSince()) : null,
            request.hasUntil() ? ProtoTimes.toInstant("until", request.getUntil()) : null);
    Unary.reply(
        response, RecoverDeliveriesResponse.newBuilder().setRequeuedCount(requeued).build());
  }
}
