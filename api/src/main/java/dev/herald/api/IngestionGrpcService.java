package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Completions;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.event.IngestionService;
import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

final class IngestionGrpcService extends IngestionServiceGrpc.IngestionServiceImplBase {
  private final IngestionService ingestion;
  private final IngestMetrics metrics;

  IngestionGrpcService(IngestionService ingestion, IngestMetrics metrics) {
    this.ingestion = requireNonNull(ingestion, "ingestion");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /**
   * Answers once the event is committed, from the ingest writer's thread: the call's own thread,
   * often the transport thread it arrived on ({@link IngestOnArrival}), is not held meanwhile.
   * Invalid input and a caller out of scope are refused at once, by throwing, as every other
   * service does.
   */
  @Override
  public void ingestStateChange(
      IngestStateChangeRequest request, StreamObserver<IngestStateChangeResponse> response) {
    long start = System.nanoTime();
    CompletableFuture<IngestResult> recorded;
    try {
      recorded = ingestion.ingest(Callers.scope(), StateChangeMapper.toDomain(request));
    } catch (InvalidArgumentException e) {
      metrics.rejected();
      throw e;
    }
    recorded.whenComplete(
        (result, failure) -> {
          if (failure != null) {
            response.onError(
                DomainErrorInterceptor.toStatus(
                    IngestionServiceGrpc.getIngestStateChangeMethod(),
                    Completions.rethrowable(failure)));
            return;
          }
          metrics.ingested(result, start);
          Unary.reply(
              response,
              IngestStateChangeResponse.newBuilder()
                  .setEventId(result.eventId())
                  .addAllDeliveryIds(result.deliveryIds().stream().map(UUID::toString).toList())
                  .build());
        });
  }
}
