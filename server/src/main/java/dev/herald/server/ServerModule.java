package dev.herald.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.grpc.BindableService;
import java.util.Set;

/** The gRPC server, built from whatever services the other modules contribute. */
final class ServerModule extends AbstractModule {
  private final ApiConfig config;

  ServerModule(ApiConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), BindableService.class);
  }

  @Provides
  @Singleton
  GrpcServer grpcServer(Set<BindableService> services) {
    return new GrpcServer(config.port(), config.tls(), services);
  }
}
