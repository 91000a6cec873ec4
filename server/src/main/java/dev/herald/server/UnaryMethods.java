package dev.herald.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The unary methods of Herald's services ({@code herald.v1}), callable with messages built from
 * their schema: the services' own method descriptors carry the marshallers their interceptors
 * chose, not the messages' types, so a caller that knows only JSON needs descriptors of its own.
 */
final class UnaryMethods {
  private static final String PACKAGE = "herald.v1.";

  private final Map<String, MethodDescriptor<DynamicMessage, DynamicMessage>> byName =
      new HashMap<>();
  private final Set<String> services = new LinkedHashSet<>();

  UnaryMethods(Collection<ServerServiceDefinition> definitions) {
    for (ServerServiceDefinition definition : definitions) {
      if (definition.getServiceDescriptor().getName().startsWith(PACKAGE)) {
        services.add(definition.getServiceDescriptor().getName());
        addUnary(definition);
      }
    }
  }

  private void addUnary(ServerServiceDefinition definition) {
    Descriptors.ServiceDescriptor schema =
        ((ProtoServiceDescriptorSupplier) definition.getServiceDescriptor().getSchemaDescriptor())
            .getServiceDescriptor();
    for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
      MethodDescriptor<?, ?> served = method.getMethodDescriptor();
      if (served.getType() != MethodDescriptor.MethodType.UNARY) {
        continue;
      }
      Descriptors.MethodDescriptor rpc = schema.findMethodByName(served.getBareMethodName());
      byName.put(
          served.getFullMethodName(),
          MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(served.getFullMethodName())
              .setRequestMarshaller(
                  ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(rpc.getInputType())))
              .setResponseMarshaller(
                  ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(rpc.getOutputType())))
              .build());
    }
  }

  /** The method of that full name ({@code herald.v1.Service/Method}), if it is unary. */
  Optional<MethodDescriptor<DynamicMessage, DynamicMessage>> find(String fullName) {
    return Optional.ofNullable(byName.get(fullName));
  }

  /** An empty request of the method, to parse JSON into. */
  static DynamicMessage.Builder newRequest(
      MethodDescriptor<DynamicMessage, DynamicMessage> method) {
    return ((DynamicMessage)
            ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
                .getMessagePrototype())
        .newBuilderForType();
  }

  /** The HTTP path prefixes of the services, one each: {@code /herald.v1.Service/*}. */
  Set<String> routes() {
    Set<String> routes = new LinkedHashSet<>();
    services.forEach(service -> routes.add("/" + service + "/*"));
    return routes;
  }
}
