package dev.herald.server;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
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

  private static final JsonFormat.Printer DEBUG =
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
    StringBuilder details = new StringBuilder();
    if (detailed != null) {
      for (Any detail : detailed.getDetailsList()) {
        details.append(details.length() == 0 ? "" : ",").append(detail(detail));
      }
    }
    return new Answer(
        HTTP_STATUS.getOrDefault(status.getCode(), 500),
        body(status.getCode(), status.getDescription(), details.toString()));
  }

  /** An error the gateway itself answers, before any call: a bad route, type or body. */
  static Answer of(int httpStatus, Status.Code code, String message) {
    return new Answer(httpStatus, body(code, message, ""));
  }

  private static String body(Status.Code code, String message, String details) {
    StringBuilder json =
        new StringBuilder("{\"code\":\"").append(code.name().toLowerCase(Locale.ROOT)).append('"');
    if (message != null && !message.isEmpty()) {
      json.append(",\"message\":").append(quoted(message));
    }
    if (!details.isEmpty()) {
      json.append(",\"details\":[").append(details).append(']');
    }
    return json.append('}').toString();
  }

  private static String detail(Any detail) {
    String type = detail.getTypeUrl().substring(detail.getTypeUrl().lastIndexOf('/') + 1);
    StringBuilder json =
        new StringBuilder("{\"type\":")
            .append(quoted(type))
            .append(",\"value\":\"")
            .append(
                Base64.getEncoder()
                    .withoutPadding()
                    .encodeToString(detail.getValue().toByteArray()))
            .append('"');
    Descriptors.Descriptor readable = READABLE.find(type);
    if (readable != null) {
      try {
        json.append(",\"debug\":")
            .append(DEBUG.print(DynamicMessage.parseFrom(readable, detail.getValue())));
      } catch (InvalidProtocolBufferException unreadable) {
        // Its bytes are still there.
      }
    }
    return json.append('}').toString();
  }

  /** A JSON string literal. */
  static String quoted(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
