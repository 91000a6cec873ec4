package dev.herald.api;

import dev.herald.domain.access.Caller;
import dev.herald.domain.access.ProjectScope;
import io.grpc.Context;

/**
 * The authenticated caller of the RPC being served, put in the gRPC context by {@link
 * AuthInterceptor}.
 */
final class Callers {
  static final Context.Key<Caller> KEY = Context.key("herald-caller");

  private Callers() {}

  static Caller current() {
    Caller caller = KEY.get();
    if (caller == null) {
      // Every service is wrapped by AuthInterceptor; reaching here means a wiring mistake.
      throw new IllegalStateException("no authenticated caller in this call's context");
    }
    return caller;
  }

  static ProjectScope scope() {
    return current().scope();
  }
}
