package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Ids;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.GetDeliveryRequest;
import dev.herald.proto.v1.ListDeliveriesRequest;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.RetryDeliveryRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

final class DeliveryGrpcService extends DeliveryServiceGrpc.DeliveryServiceImplBase {
  private final DeliveryQueryService deliveries;

  DeliveryGrpcService(DeliveryQueryService deliveries) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
  }

  @Override
  public void listDeliveries(
      ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> response) {
    PageRequest pageRequest = PageRequest.of(request.getPageSize(), request.getPageToken());
    Page<Delivery> page = deliveries.list(DeliveryMapper.toFilter(request), pageRequest);
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
    Delivery delivery = deliveries.get(Ids.parse("id", request.getId()));
    Unary.reply(response, DeliveryMapper.toProto(delivery));
  }

  @Override
  public void retryDelivery(
      RetryDeliveryRequest request, StreamObserver<dev.herald.proto.v1.Delivery> response) {
    throw Status.UNIMPLEMENTED
        .withDescription("manual retry is not available yet")
        .asRuntimeException();
  }
}
