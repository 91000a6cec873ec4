package dev.herald.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.herald.domain.FailedPreconditionException;
import dev.herald.domain.FieldViolation;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.QuotaExceededException;
import dev.herald.domain.UnavailableException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become gRPC statuses. Invalid input becomes {@code
 * INVALID_ARGUMENT} with a {@code google.rpc.BadRequest} naming each field; an unknown resource
 * {@code NOT_FOUND}; a resource in the wrong state {@code FAILED_PRECONDITION}; a request protobuf
 * cannot parse {@code INVALID_ARGUMENT} too (see {@link UnparsableRequests}); anything unexpected
 * {@code INTERNAL} with a correlation id that is also in the log next to the stack trace, which
 * never reaches the client.
 */
final class DomainErrorInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(DomainErrorInterceptor.class);

  /** A database outage fails every call: one line per ten seconds says so, not one per call. */
  private static final RateLimitedLog UNAVAILABLE_LOG =
      new RateLimitedLog(log, Duration.ofSeconds(10));

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> listener;
    try {
      // Interceptors inside this one (authentication among them) may fail here, before any
      // message: a database out of reach while a key is looked up, say.
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      fail(call, e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      /** Set once this call is closed with an error: what the listener does after is moot. */
      private boolean failed;

      @Override
      public void onMessage(ReqT message) {
        if (failed) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          failed = true;
          fail(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        if (failed) {
          // A message that could not be parsed closed the call already; the unary handler would
          // close it again on half-close, and fail doing so.
          return;
        }
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          failed = true;
          fail(call, e);
        }
      }
    };
  }

  private static void fail(ServerCall<?, ?> call, RuntimeException error) {
    StatusException status = toStatus(call.getMethodDescriptor(), error);
    call.close(
        status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
  }

  /**
   * The status for {@code error}, raised by {@code method}; also for services that answer once a
   * result completes, on a thread this interceptor does not see.
   */
  static StatusException toStatus(MethodDescriptor<?, ?> method, RuntimeException error) {
    if (error instanceof InvalidArgumentException invalid) {
      return StatusProto.toStatusException(badRequest(invalid));
    }
    if (error instanceof NotFoundException) {
      return Status.NOT_FOUND.withDescription(error.getMessage()).asException();
    }
    if (error instanceof FailedPreconditionException) {
      return Status.FAILED_PRECONDITION.withDescription(error.getMessage()).asException();
    }
    if (error instanceof QuotaExceededException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(error.getMessage()).asException();
    }
    if (error instanceof UnavailableException) {
      String correlationId = UUID.randomUUID().toString();
      UNAVAILABLE_LOG.warn(
          "{} failed: {} (correlation id {}): {}",
          method.getFullMethodName(),
          error.getMessage(),
          correlationId,
          rootMessage(error));
      return Status.UNAVAILABLE
          .withDescription(
              error.getMessage() + "; try again (correlation id " + correlationId + ")")
          .asException();
    }
    Optional<InvalidArgumentException> unparsable =
        UnparsableRequests.asInvalidArgument(method, error);
    if (unparsable.isPresent()) {
      return StatusProto.toStatusException(badRequest(unparsable.get()));
    }
    if (error instanceof StatusRuntimeException explicit) {
      return explicit.getStatus().asException(explicit.getTrailers());
    }
    String correlationId = UUID.randomUUID().toString();
    log.atError()
        .addKeyValue("correlation_id", correlationId)
        .setCause(error)
        .log(
            "Unexpected error in {} (correlation id {})",
            method.getFullMethodName(),
            correlationId);
    return Status.INTERNAL
        .withDescription("internal error; correlation id " + correlationId)
        .asException();
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static com.google.rpc.Status badRequest(InvalidArgumentException invalid) {
    BadRequest.Builder details = BadRequest.newBuilder();
    for (FieldViolation violation : invalid.violations()) {
      details.addFieldViolations(
          BadRequest.FieldViolation.newBuilder()
              .setField(violation.field())
              .setDescription(violation.description()));
    }
    return com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage(invalid.getMessage())
        .addDetails(Any.pack(details.build()))
        .build();
  }
}
