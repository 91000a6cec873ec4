package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.NotFoundException;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Over in-process gRPC, with a service that throws what the domain throws. */
class DomainErrorInterceptorTest {
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(new Throwing(), new DomainErrorInterceptor()))
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
  void invalidArgumentsCarryABadRequestNamingTheField() throws Exception {
    StatusRuntimeException error = call("invalid");
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    BadRequest details = StatusProto.fromThrowable(error).getDetails(0).unpack(BadRequest.class);
    assertEquals("url", details.getFieldViolations(0).getField());
    assertEquals("must use https", details.getFieldViolations(0).getDescription());
  }

  @Test
  void unknownResourcesAreNotFound() {
    assertEquals(Status.Code.NOT_FOUND, call("missing").getStatus().getCode());
  }

  @Test
  void surprisesAreInternalWithACorrelationIdAndNoDetail() {
    StatusRuntimeException error = call("boom");
    assertEquals(Status.Code.INTERNAL, error.getStatus().getCode());
    String description = error.getStatus().getDescription();
    assertTrue(description.startsWith("internal error; correlation id "), description);
    assertFalse(description.contains("secret detail"), description);
  }

  private StatusRuntimeException call(String id) {
    return assertThrows(
        StatusRuntimeException.class,
        () ->
            WebhookServiceGrpc.newBlockingStub(channel)
                .getWebhook(GetWebhookRequest.newBuilder().setId(id).build()));
  }

  private static final class Throwing extends WebhookServiceGrpc.WebhookServiceImplBase {
    @Override
    public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> response) {
      switch (request.getId()) {
        case "invalid" -> throw InvalidArgumentException.of("url", "must use https");
        case "missing" -> throw new NotFoundException("webhook", UUID.randomUUID());
        default -> throw new IllegalStateException("secret detail");
      }
    }
  }
}
