package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.event.IngestionService;
import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

final class IngestionGrpcService extends IngestionServiceGrpc.IngestionServiceImplBase {
  private final IngestionService ingestion;
  private final IngestMetrics metrics;

  IngestionGrpcService(IngestionService ingestion, IngestMetrics metrics) {
    this.ingestion = requireNonNull(ingestion, "ingestion");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  @Override
  public void ingestStateChange(
      IngestStateChangeRequest request, StreamObserver<IngestStateChangeResponse> response) {
    long start = System.nanoTime();
    IngestResult result;
    try {
      result = ingestion.ingest(Callers.scope(), StateChangeMapper.toDomain(request));
    } catch (InvalidArgumentException e) {
      metrics.rejected();
      throw e;
    }
    metrics.ingested(result, start);
    Unary.reply(
        response,
        IngestStateChangeResponse.newBuilder()
            .setEventId(result.eventId())
            .addAllDeliveryIds(result.deliveryIds().stream().map(UUID::toString).toList())
            .build());
  }
}
