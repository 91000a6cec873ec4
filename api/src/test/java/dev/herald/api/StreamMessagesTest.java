package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.Drainable;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A wrapped service's messages, as its interceptors and the transport see them. */
class StreamMessagesTest {
  @Test
  void aResponseReachesTheTransportAsProtobufsOwnDrainableStream() throws Exception {
    Recording call = new Recording();
    ServerMethodDefinition<InputStream, InputStream> getWebhook = wrappedGetWebhook();
    ServerCall.Listener<InputStream> listener =
        getWebhook.getServerCallHandler().startCall(call, new Metadata());
    byte[] request = GetWebhookRequest.newBuilder().setId("wh_1").build().toByteArray();

    listener.onMessage(new ByteArrayInputStream(request));
    listener.onHalfClose();

    assertEquals(Status.Code.OK, call.status.getCode());
    assertEquals(1, call.sent.size());
    assertInstanceOf(Drainable.class, call.sent.get(0));
    assertEquals("wh_1", Webhook.parseFrom(call.sent.get(0)).getId());
  }

  @SuppressWarnings("unchecked")
  private static ServerMethodDefinition<InputStream, InputStream> wrappedGetWebhook() {
    WebhookServiceGrpc.WebhookServiceImplBase service =
        new WebhookServiceGrpc.WebhookServiceImplBase() {
          @Override
          public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> response) {
            response.onNext(Webhook.newBuilder().setId(request.getId()).build());
            response.onCompleted();
          }
        };
    return (ServerMethodDefinition<InputStream, InputStream>)
        new ApiModule.ApiInterceptors(List.of())
            .wrap(service)
            .bindService()
            .getMethod(WebhookServiceGrpc.getGetWebhookMethod().getFullMethodName());
  }

  /** Stands in for the transport: keeps what the service sends. */
  private static final class Recording extends ServerCall<InputStream, InputStream> {
    final List<InputStream> sent = new ArrayList<>();
    Status status;

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(InputStream message) {
      sent.add(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      this.status = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<InputStream, InputStream> getMethodDescriptor() {
      return MethodDescriptor.<InputStream, InputStream>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(WebhookServiceGrpc.getGetWebhookMethod().getFullMethodName())
          .setRequestMarshaller(StreamMessages.AS_THEY_ARE)
          .setResponseMarshaller(StreamMessages.AS_THEY_ARE)
          .build();
    }
  }
}
