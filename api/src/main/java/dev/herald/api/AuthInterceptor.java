package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.access.ApiTokens;
import dev.herald.domain.access.Caller;
import dev.herald.domain.access.Role;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Requires {@code authorization: Bearer <token>} naming an unrevoked API key that has the role the
 * method needs, and makes the key's {@link Caller} available to the services. Tokens are never
 * logged or echoed.
 */
final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";
  private static final int MAX_TOKEN_LENGTH = 256;

  private final ApiKeyAuthenticator authenticator;

  AuthInterceptor(ApiKeyAuthenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Optional<String> token = bearerToken(headers.get(AUTHORIZATION));
    if (token.isEmpty()) {
      return refuse(
          call,
          Status.UNAUTHENTICATED.withDescription(
              "send a valid API key as 'authorization: Bearer <token>'"));
    }
    Optional<Caller> caller = authenticator.authenticate(token.get());
    if (caller.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("unknown or revoked API key"));
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<Role> required = MethodRoles.required(call.getMethodDescriptor());
    if (required.isEmpty()) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(method + " is open to no key"));
    }
    if (!caller.get().has(required.get())) {
      return refuse(
          call,
          Status.PERMISSION_DENIED.withDescription(
              method + " needs an API key with the '" + required.get().wireName() + "' role"));
    }
    Context context = Context.current().withValue(Callers.KEY, caller.get());
    return Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * The token, when it could be one: Herald's own are 48 characters and configured ones at least
   * {@link ApiTokens#MIN_CONFIGURED_LENGTH}, all visible ASCII. Anything else is refused without a
   * lookup.
   */
  static Optional<String> bearerToken(String header) {
    if (header == null
        || header.length() > BEARER.length() + MAX_TOKEN_LENGTH
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = header.substring(BEARER.length()).trim();
    boolean plausible =
        token.length() >= ApiTokens.MIN_CONFIGURED_LENGTH
            && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    return plausible ? Optional.of(token) : Optional.empty();
  }

  private static <ReqT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, ?> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
