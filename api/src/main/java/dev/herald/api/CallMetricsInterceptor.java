package dev.herald.api;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Counts calls per method and status code and times them, outside every other interceptor so that
 * refusals count too. Methods are a fixed set, so the series are few.
 */
final class CallMetricsInterceptor implements ServerInterceptor {
  private final Counter calls;
  private final Histogram duration;

  CallMetricsInterceptor(PrometheusRegistry registry) {
    calls =
        Counter.builder()
            .name("herald_grpc_server_calls_total")
            .help("gRPC calls handled, by method and status code")
            .labelNames("method", "code")
            .register(registry);
    duration =
        Histogram.builder()
            .name("herald_grpc_server_call_duration_seconds")
            .help("How long gRPC calls took, from their start to their status, by method")
            .unit(Unit.SECONDS)
            .labelNames("method")
            .classicOnly()
            .register(registry);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long start = System.nanoTime();
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            calls.labelValues(method, status.getCode().name()).inc();
            duration.labelValues(method).observe((System.nanoTime() - start) / 1e9);
            super.close(status, trailers);
          }
        },
        headers);
  }
}
