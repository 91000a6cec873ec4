package dev.herald.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.herald.api.CallPlacement;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GrpcServerTest {

  /** A call that waits, as an ingest waits for its transaction, holds a thread meanwhile. */
  private static final class WaitingService extends WebhookServiceGrpc.WebhookServiceImplBase {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();

    @Override
    public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> response) {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      running.decrementAndGet();
      response.onNext(Webhook.getDefaultInstance());
      response.onCompleted();
    }
  }

  @Test
  void callsBeyondItsThreadsWaitForOneInsteadOfStartingMore() throws Exception {
    WaitingService service = new WaitingService();
    GrpcServer server =
        new GrpcServer(0, Optional.empty(), Set.of(service), CallPlacement.CALL_THREADS);
    server.start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    try {
      var stub = WebhookServiceGrpc.newFutureStub(channel);
      List<ListenableFuture<Webhook>> calls = new ArrayList<>();
      for (int i = 0; i < 3 * GrpcServer.CALL_THREADS; i++) {
        calls.add(stub.getWebhook(GetWebhookRequest.newBuilder().setId("w" + i).build()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (service.running.get() < GrpcServer.CALL_THREADS && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(GrpcServer.CALL_THREADS, service.running.get());
      service.release.countDown();
      for (ListenableFuture<Webhook> call : calls) {
        call.get(30, TimeUnit.SECONDS);
      }
      assertEquals(GrpcServer.CALL_THREADS, service.mostAtOnce.get());
      assertTrue(calls.stream().allMatch(ListenableFuture::isDone));
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }

  /** Answers with the name of the thread that ran the call. */
  private static final class ThreadNaming extends WebhookServiceGrpc.WebhookServiceImplBase {
    @Override
    public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> response) {
      response.onNext(Webhook.newBuilder().setId(Thread.currentThread().getName()).build());
      response.onCompleted();
    }
  }

  @Test
  void aCallPlacedOnArrivalRunsOnTheTransportThread() throws Exception {
    String thread =
        threadThatRuns(
            (method, headers) ->
                method.getFullMethodName().equals("herald.v1.WebhookService/GetWebhook"));

    assertTrue(thread.startsWith("grpc-default-worker"), "ran on " + thread);
  }

  @Test
  void anyOtherCallRunsOnACallThread() throws Exception {
    String thread = threadThatRuns(CallPlacement.CALL_THREADS);

    assertTrue(thread.startsWith("herald-grpc-"), "ran on " + thread);
  }

  private static String threadThatRuns(CallPlacement placement) throws Exception {
    GrpcServer server = new GrpcServer(0, Optional.empty(), Set.of(new ThreadNaming()), placement);
    server.start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    try {
      return WebhookServiceGrpc.newBlockingStub(channel)
          .getWebhook(GetWebhookRequest.newBuilder().setId("w").build())
          .getId();
    } finally {
      channel.shutdownNow();
      server.stop();
    }
  }
}
