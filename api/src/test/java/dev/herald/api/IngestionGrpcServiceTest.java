package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.herald.domain.UnavailableException;
import dev.herald.domain.access.Caller;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.access.Role;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.EventRepository;
import dev.herald.domain.event.IngestResult;
import dev.herald.domain.event.IngestionService;
import dev.herald.domain.event.NewDelivery;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import dev.herald.proto.v1.IngestStateChangeRequest;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingestion service over in-process gRPC, behind the error mapping, with a caller scoped to one
 * project and the events kept in memory: what reaches the domain, and what the client hears back.
 */
class IngestionGrpcServiceTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final Webhook WEBHOOK =
      new Webhook(
          UUID.randomUUID(),
          "proj",
          null,
          "https://example.com/h",
          List.of(Trigger.BOT_STATE_CHANGE),
          true,
          null,
          NOW,
          NOW);

  private final List<Event> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger notified = new AtomicInteger();
  private volatile RuntimeException storeFailure;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    // Completes on another thread, as a commit made by another caller's thread does.
    EventRepository events =
        (Event event, Function<List<Webhook>, List<NewDelivery>> fanOut) ->
            CompletableFuture.supplyAsync(
                () -> {
                  if (storeFailure != null) {
                    throw storeFailure;
                  }
                  stored.add(event);
                  List<UUID> ids =
                      fanOut.apply(List.of(WEBHOOK)).stream().map(NewDelivery::id).toList();
                  return new IngestResult(event.eventId(), ids, false);
                });
    IngestionService ingestion =
        new IngestionService(events, notified::incrementAndGet, Clock.fixed(NOW, ZoneOffset.UTC));
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    new IngestionGrpcService(
                        ingestion, new IngestMetrics(new PrometheusRegistry())),
                    callerOf("proj"),
                    new DomainErrorInterceptor()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void aStateChangeIsStoredFannedOutAndAnswered() {
    IngestStateChangeResponse response = ingest(stateChange("proj").setEventId("evt-1"));
    assertEquals("evt-1", response.getEventId());
    assertEquals(1, response.getDeliveryIdsCount());
    assertEquals(1, stored.size());
    assertEquals("bot-1", stored.get(0).botId());
    assertEquals(1, notified.get(), "the dispatcher is told of the new delivery");
  }

  @Test
  void aMissingFieldIsInvalidArgumentNamingItAndNothingIsStored() throws Exception {
    StatusRuntimeException error =
        assertThrows(StatusRuntimeException.class, () -> ingest(stateChange("proj").clearBotId()));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    BadRequest details = StatusProto.fromThrowable(error).getDetails(0).unpack(BadRequest.class);
    assertEquals("bot_id", details.getFieldViolations(0).getField());
    assertTrue(stored.isEmpty());
    assertEquals(0, notified.get());
  }

  @Test
  void aProjectOutsideTheCallersScopeIsNotFound() {
    StatusRuntimeException error =
        assertThrows(StatusRuntimeException.class, () -> ingest(stateChange("other")));
    assertEquals(Status.Code.NOT_FOUND, error.getStatus().getCode());
    assertTrue(stored.isEmpty());
  }

  @Test
  void aDatabaseOutOfReachIsUnavailableWithoutItsDetail() {
    storeFailure =
        new UnavailableException(
            "the database is unavailable",
            new IllegalStateException("connection refused to 10.0.0.5"));
    StatusRuntimeException error =
        assertThrows(StatusRuntimeException.class, () -> ingest(stateChange("proj")));
    assertEquals(Status.Code.UNAVAILABLE, error.getStatus().getCode());
    String description = error.getStatus().getDescription();
    assertTrue(description.contains("correlation id"), description);
    assertFalse(description.contains("10.0.0.5"), description);
  }

  private IngestStateChangeResponse ingest(IngestStateChangeRequest.Builder request) {
    return IngestionServiceGrpc.newBlockingStub(channel).ingestStateChange(request.build());
  }

  private static IngestStateChangeRequest.Builder stateChange(String project) {
    return IngestStateChangeRequest.newBuilder()
        .setProjectId(project)
        .setBotId("bot-1")
        .setNewState("ended")
        .setEventType("post_processing_completed");
  }

  /** Puts a caller scoped to {@code project} in every call's context, as authentication does. */
  private static ServerInterceptor callerOf(String project) {
    Caller caller = new Caller(UUID.randomUUID(), ProjectScope.only(project), Set.of(Role.ADMIN));
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(
            Context.current().withValue(Callers.KEY, caller), call, headers, next);
      }
    };
  }
}
