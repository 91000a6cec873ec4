package dev.herald.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.herald.domain.FieldViolation;
import dev.herald.domain.InvalidArgumentException;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request protobuf could not parse into {@code INVALID_ARGUMENT}. The one way a valid
 * client gets here is nesting a Struct past protobuf's recursion limit; the violation then names
 * the request's fields that can nest that deep.
 */
final class UnparsableRequests {
  private UnparsableRequests() {}

  static Optional<InvalidArgumentException> asInvalidArgument(
      MethodDescriptor<?, ?> method, RuntimeException error) {
    if (!(error instanceof StatusRuntimeException)
        || !(error.getCause() instanceof InvalidProtocolBufferException cause)) {
      return Optional.empty();
    }
    boolean tooDeep = String.valueOf(cause.getMessage()).contains("nesting");
    List<String> fields = tooDeep ? nestingFields(method) : List.of();
    if (fields.isEmpty()) {
      return Optional.of(
          InvalidArgumentException.of("", "the request is not a valid protobuf message"));
    }
    return Optional.of(
        new InvalidArgumentException(
            fields.stream()
                .map(
                    field -> new FieldViolation(field, "is nested more deeply than Herald accepts"))
                .toList()));
  }

  private static List<String> nestingFields(MethodDescriptor<?, ?> method) {
    if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier schema)) {
      return List.of();
    }
    Descriptor request = schema.getMethodDescriptor().getInputType();
    return request.getFields().stream()
        .filter(f -> f.getJavaType() == FieldDescriptor.JavaType.MESSAGE)
        .filter(f -> isRecursive(f.getMessageType(), f.getMessageType(), new HashSet<>()))
        .map(FieldDescriptor::getName)
        .toList();
  }

  private static boolean isRecursive(Descriptor start, Descriptor current, Set<String> seen) {
    for (FieldDescriptor field : current.getFields()) {
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      Descriptor next = field.getMessageType();
      if (next.getFullName().equals(start.getFullName())) {
        return true;
      }
      if (seen.add(next.getFullName()) && isRecursive(start, next, seen)) {
        return true;
      }
    }
    return false;
  }
}
