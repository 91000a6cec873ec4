package dev.herald.server;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A gRPC status as the Connect protocol's JSON error: {@code {"code": "invalid_argument",
 * "message": ..., "details": [...]}} with the HTTP status Connect assigns to the code. Details keep
 * their protobuf bytes ({@code value}) and, for the kinds Herald sends, a readable {@code debug}.
 */
final class ConnectErrors {
  /** The kinds of detail shown readably as well: those Herald's error mapping sends. */
  private static final JsonFormat.TypeRegistry READABLE =
      JsonFormat.TypeRegistry.newBuilder()
          .add(BadRequest.getDescriptor())
          .add(ErrorInfo.getDescriptor())
          .add(QuotaFailure.getDescriptor())
          .add(RetryInfo.getDescriptor())
          .build();

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private static final Map<Status.Code, Integer> HTTP_STATUS =
      Map.ofEntries(
          Map.entry(Status.Code.CANCELLED, 499),
          Map.entry(Status.Code.UNKNOWN, 500),
          Map.entry(Status.Code.INVALID_ARGUMENT, 400),
          Map.entry(Status.Code.DEADLINE_EXCEEDED, 504),
          Map.entry(Status.Code.NOT_FOUND, 404),
          Map.entry(Status.Code.ALREADY_EXISTS, 409),
          Map.entry(Status.Code.PERMISSION_DENIED, 403),
          Map.entry(Status.Code.RESOURCE_EXHAUSTED, 429),
          Map.entry(Status.Code.FAILED_PRECONDITION, 400),
          Map.entry(Status.Code.ABORTED, 409),
          Map.entry(Status.Code.OUT_OF_RANGE, 400),
          Map.entry(Status.Code.UNIMPLEMENTED, 501),
          Map.entry(Status.Code.INTERNAL, 500),
          Map.entry(Status.Code.UNAVAILABLE, 503),
          Map.entry(Status.Code.DATA_LOSS, 500),
          Map.entry(Status.Code.UNAUTHENTICATED, 401));

  /** An error answer: its HTTP status and JSON body. */
  record Answer(int httpStatus, String json) {}

  private ConnectErrors() {}

  static Answer of(StatusRuntimeException failure) {
    Status status = failure.getStatus();
    com.google.rpc.Status detailed = StatusProto.fromThrowable(failure);
    ListValue.Builder details = ListValue.newBuilder();
    if (detailed != null) {
      detailed.getDetailsList().forEach(detail -> details.addValues(detail(detail)));
    }
    return new Answer(
        HTTP_STATUS.getOrDefault(status.getCode(), 500),
        body(status.getCode(), status.getDescription(), details.build()));
  }

  /** An error the gateway itself answers, before any call: a bad route, type or body. */
  static Answer of(int httpStatus, Status.Code code, String message) {
    return new Answer(httpStatus, body(code, message, ListValue.getDefaultInstance()));
  }

  private static String body(Status.Code code, String message, ListValue details) {
    Struct.Builder error =
        Struct.newBuilder().putFields("code", text(code.name().toLowerCase(Locale.ROOT)));
    if (message != null && !message.isEmpty()) {
      error.putFields("message", text(message));
    }
    if (details.getValuesCount() > 0) {
      error.putFields("details", Value.newBuilder().setListValue(details).build());
    }
    return print(error.build());
  }

  /** A detail as Connect writes it: its type, its bytes in base64 and, if known, readable. */
  private static Value detail(Any detail) {
    String type = detail.getTypeUrl().substring(detail.getTypeUrl().lastIndexOf('/') + 1);
    Struct.Builder json =
        Struct.newBuilder()
            .putFields("type", text(type))
            .putFields(
                "value",
                text(
                    Base64.getEncoder()
                        .withoutPadding()
                        .encodeToString(detail.getValue().toByteArray())));
    Descriptors.Descriptor readable = READABLE.find(type);
    if (readable != null) {
      try {
        Struct.Builder debug = Struct.newBuilder();
        JsonFormat.parser()
            .merge(JSON.print(DynamicMessage.parseFrom(readable, detail.getValue())), debug);
        json.putFields("debug", Value.newBuilder().setStructValue(debug).build());
      } catch (InvalidProtocolBufferException unreadable) {
        // Its bytes are still there.
      }
    }
    return Value.newBuilder().setStructValue(json).build();
  }

  private static Value text(String text) {
    return Value.newBuilder().setStringValue(text).build();
  }

  private static String print(Struct json) {
    try {
      return JSON.print(json);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct always prints", e);
    }
  }
}
