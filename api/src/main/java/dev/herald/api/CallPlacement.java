package dev.herald.api;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Which calls run on the transport thread their request arrived on, rather than being handed to a
 * call thread. Only a call that never blocks may: gRPC's transport threads serve every connection.
 */
@FunctionalInterface
public interface CallPlacement {
  /** Every call on a call thread. */
  CallPlacement CALL_THREADS = (method, headers) -> false;

  boolean runsOnArrival(MethodDescriptor<?, ?> method, Metadata headers);
}
