package dev.herald.api;

import io.grpc.MethodDescriptor.Marshaller;
import java.io.InputStream;

/**
 * Messages handed through the interceptors as the streams they arrive and leave as, so that a
 * request is parsed inside them ({@link UnparsableRequests}) and a response goes out as its own
 * marshaller streamed it.
 *
 * <p>Not gRPC's {@code ServerInterceptors.useInputStreamMessages}: its marshaller wraps every
 * response stream in a {@code BufferedInputStream}, which hides protobuf's own stream, one the
 * transport drains straight into its frame; the transport then copied each response through a
 * buffer of its own, two arrays of 8 kB allocated and cleared per response, a few percent of the
 * ingest writer's time in a profile. Nothing here reads a message twice, so no stream needs
 * marking.
 */
enum StreamMessages implements Marshaller<InputStream> {
  AS_THEY_ARE;

  @Override
  public InputStream stream(InputStream value) {
    return value;
  }

  @Override
  public InputStream parse(InputStream stream) {
    return stream;
  }
}
