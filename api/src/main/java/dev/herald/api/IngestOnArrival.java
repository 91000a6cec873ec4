package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.proto.v1.IngestionServiceGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Ingest calls whose API key is answered from memory run where they arrive. Such a call does not
 * block: its key is checked without the database, and its event waits for the ingest writer without
 * holding the thread. Handed to a call thread instead, each of thousands of calls a second woke a
 * parked thread and parked it again, which cost the server more CPU than the call's own work (a
 * profile of the benchmark's sweep: 11% of the server's samples in the call threads' wait for work,
 * 4% in the calls outside the writer). A key the database must be asked about, or any other method,
 * goes to a call thread as before.
 */
final class IngestOnArrival implements CallPlacement {
  private final ApiKeyAuthenticator authenticator;

  IngestOnArrival(ApiKeyAuthenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  @Override
  public boolean runsOnArrival(MethodDescriptor<?, ?> method, Metadata headers) {
    return method
            .getFullMethodName()
            .equals(IngestionServiceGrpc.getIngestStateChangeMethod().getFullMethodName())
        && AuthInterceptor.bearerToken(headers.get(AuthInterceptor.AUTHORIZATION))
            .map(authenticator::answersFromMemory)
            .orElse(true);
  }
}
