package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.access.Caller;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.access.Role;
import dev.herald.domain.delivery.Delivery;
import dev.herald.domain.delivery.DeliveryFilter;
import dev.herald.domain.delivery.DeliveryOutcome;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.delivery.DeliveryRecoveryService;
import dev.herald.domain.delivery.DeliveryRepository;
import dev.herald.domain.delivery.DeliveryStatus;
import dev.herald.domain.delivery.OutcomeFeed;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.webhook.WebhookRepository;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.WatchDeliveriesRequest;
import dev.herald.testing.Eventually;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WatchDeliveries over in-process gRPC, with outcomes pushed by the test in place of the database.
 */
class OutcomeStreamTest {
  private final List<Consumer<DeliveryOutcome>> listeners = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    OutcomeFeed feed =
        listener -> {
          listeners.add(listener);
          return () -> listeners.remove(listener);
        };
    WebhookRepository noWebhooks =
        (WebhookRepository)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {WebhookRepository.class},
                (proxy, method, arguments) -> {
                  throw new UnsupportedOperationException(method.getName());
                });
    DeliveryGrpcService service =
        new DeliveryGrpcService(
            new DeliveryQueryService(new NoDeliveries(), feed),
            new DeliveryRecoveryService(
                new NoDeliveries(), noWebhooks, () -> {}, Clock.systemUTC()),
            Executors.newSingleThreadExecutor());
    Caller global = new Caller(UUID.randomUUID(), ProjectScope.all(), EnumSet.of(Role.READ));
    ServerInterceptor asGlobalReader =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
              io.grpc.ServerCall<ReqT, RespT> call,
              Metadata headers,
              io.grpc.ServerCallHandler<ReqT, RespT> next) {
            return Contexts.interceptCall(
                Context.current().withValue(Callers.KEY, global), call, headers, next);
          }
        };
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .executor(Executors.newFixedThreadPool(2))
            .addService(ServerInterceptors.intercept(service, asGlobalReader))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void aWatcherGetsWhatItsFilterMatches() throws Exception {
    List<dev.herald.proto.v1.DeliveryOutcome> received = new CopyOnWriteArrayList<>();
    ClientCall<WatchDeliveriesRequest, dev.herald.proto.v1.DeliveryOutcome> call =
        watch(
            WatchDeliveriesRequest.newBuilder().setProjectId("wanted").build(),
            received,
            new CompletableFuture<>(),
            100);
    awaitWatching();
    listeners.forEach(l -> l.accept(outcome("other")));
    listeners.forEach(l -> l.accept(outcome("wanted")));
    Eventually.until("the wanted outcome to arrive", () -> !received.isEmpty());
    assertEquals(1, received.size());
    assertEquals("wanted", received.get(0).getProjectId());
    call.cancel("done", null);
  }

  @Test
  void aWatcherThatFallsBehindIsLetGoWithResourceExhausted() throws Exception {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    // The client asks for no message at all: everything waits for it on the server.
    watch(WatchDeliveriesRequest.getDefaultInstance(), new CopyOnWriteArrayList<>(), closed, 0);
    awaitWatching();
    for (int i = 0; i <= OutcomeStream.BUFFER + 10; i++) {
      listeners.forEach(l -> l.accept(outcome("any")));
    }
    Status status = closed.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
    assertTrue(
        status.getDescription().contains("fell 1000 outcomes behind"), status.getDescription());
    assertTrue(listeners.isEmpty(), "the watch was closed");
  }

  private ClientCall<WatchDeliveriesRequest, dev.herald.proto.v1.DeliveryOutcome> watch(
      WatchDeliveriesRequest request,
      List<dev.herald.proto.v1.DeliveryOutcome> received,
      CompletableFuture<Status> closed,
      int requested) {
    ClientCall<WatchDeliveriesRequest, dev.herald.proto.v1.DeliveryOutcome> call =
        channel.newCall(DeliveryServiceGrpc.getWatchDeliveriesMethod(), CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(dev.herald.proto.v1.DeliveryOutcome message) {
            received.add(message);
            call.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    if (requested > 0) {
      call.request(requested);
    }
    call.sendMessage(request);
    call.halfClose();
    return call;
  }

  private void awaitWatching() {
    Eventually.until("the watch to be in place", () -> !listeners.isEmpty());
    assertEquals(1, listeners.size(), "one watch");
  }

  private static DeliveryOutcome outcome(String project) {
    return new DeliveryOutcome(
        UUID.randomUUID(),
        project,
        UUID.randomUUID(),
        "bot",
        DeliveryStatus.SUCCEEDED,
        1,
        200,
        "",
        Duration.ofMillis(3),
        Instant.now());
  }

  private static final class NoDeliveries implements DeliveryRepository {
    @Override
    public Optional<Delivery> find(UUID id) {
      return Optional.empty();
    }

    @Override
    public Page<Delivery> list(DeliveryFilter filter, PageRequest page) {
      return new Page<>(List.of(), Optional.empty());
    }

    @Override
    public boolean requeue(UUID id, Instant now) {
      return false;
    }

    @Override
    public int requeueFailed(
        String projectId, UUID webhookId, Instant since, Instant until, Instant now) {
      return 0;
    }
  }
}
