package dev.herald.server;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Every unary RPC of {@code herald.v1} as JSON over HTTP, in the Connect protocol's unary form:
 * {@code POST /herald.v1.<Service>/<Method>} with {@code Content-Type: application/json} and the
 * proto3 JSON mapping, so that curl, a browser or a Connect client can call Herald. Each call is
 * made on the very services gRPC serves, over an in-process channel carrying the caller's {@code
 * Authorization} header: authentication, roles, project scope, validation and error mapping are the
 * gRPC call's own. Errors are Connect's JSON with the matching HTTP status.
 *
 * <p>Past 200 lines as one class because the refusals before a call (route, type, length) and the
 * call itself read the same request; the methods are {@link UnaryMethods}', the errors {@link
 * ConnectErrors}'.
 */
final class JsonGateway extends Handler.Abstract {
  /** Largest request body read; a longer one is refused unread when its length is declared. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final long DEFAULT_TIMEOUT_MS = 30_000;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private final UnaryMethods methods;
  private final Server inProcess;
  private final ManagedChannel channel;

  /**
   * @param bindable the services gRPC serves, each wrapped in its interceptors already
   */
  JsonGateway(Set<BindableService> bindable) {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder server = InProcessServerBuilder.forName(name).directExecutor();
    List<ServerServiceDefinition> definitions =
        bindable.stream().map(BindableService::bindService).toList();
    definitions.forEach(server::addService);
    this.methods = new UnaryMethods(definitions);
    this.inProcess = server.build();
    this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  /** The path prefixes this gateway answers, one per service. */
  Set<String> routes() {
    return methods.routes();
  }

  @Override
  protected void doStart() throws Exception {
    inProcess.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    channel.shutdownNow();
    inProcess.shutdownNow();
    super.doStop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    ConnectErrors.Answer refusal = refusal(request);
    if (refusal != null) {
      return answer(response, callback, refusal.httpStatus(), refusal.json());
    }
    MethodDescriptor<DynamicMessage, DynamicMessage> method =
        methods.find(request.getHttpURI().getPath().substring(1)).orElseThrow();
    try {
      DynamicMessage.Builder input = UnaryMethods.newRequest(method);
      String json = body(request);
      if (!json.isBlank()) {
        PARSER.merge(json, input);
      }
      DynamicMessage output =
          ClientCalls.blockingUnaryCall(
              ClientInterceptors.intercept(
                  channel, MetadataUtils.newAttachHeadersInterceptor(metadata(request))),
              method,
              CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis(request), TimeUnit.MILLISECONDS),
              input.build());
      return answer(response, callback, 200, PRINTER.print(output));
    } catch (BodyTooLarge e) {
      return refuse(response, callback, 413, Status.Code.RESOURCE_EXHAUSTED, e.getMessage());
    } catch (InvalidProtocolBufferException e) {
      return refuse(
          response,
          callback,
          400,
          Status.Code.INVALID_ARGUMENT,
          "the body is not a " + input(method) + " in JSON: " + e.getMessage());
    } catch (StatusRuntimeException e) {
      ConnectErrors.Answer error = ConnectErrors.of(e);
      return answer(response, callback, error.httpStatus(), error.json());
    } catch (IOException e) {
      return refuse(response, callback, 400, Status.Code.INVALID_ARGUMENT, "unreadable body");
    }
  }

  /** Why the request is refused before any call, or null. */
  private ConnectErrors.Answer refusal(Request request) {
    if (!HttpMethod.POST.is(request.getMethod())) {
      return ConnectErrors.of(405, Status.Code.UNIMPLEMENTED, "only POST is served");
    }
    String path = request.getHttpURI().getPath();
    if (methods.find(path.substring(1)).isEmpty()) {
      return ConnectErrors.of(404, Status.Code.UNIMPLEMENTED, "no unary method " + path);
    }
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return ConnectErrors.of(
          415, Status.Code.INVALID_ARGUMENT, "Content-Type must be application/json");
    }
    if (request.getLength() > MAX_BODY_BYTES) {
      return ConnectErrors.of(
          413, Status.Code.RESOURCE_EXHAUSTED, "the body is over " + MAX_BODY_BYTES + " bytes");
    }
    return null;
  }

  private static String input(MethodDescriptor<DynamicMessage, DynamicMessage> method) {
    return UnaryMethods.newRequest(method).getDescriptorForType().getFullName();
  }

  /** The body as text, read up to {@link #MAX_BODY_BYTES} (a body without a length may lie). */
  private static String body(Request request) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new BodyTooLarge();
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static Metadata metadata(Request request) {
    Metadata metadata = new Metadata();
    HttpField authorization = request.getHeaders().getField(HttpHeader.AUTHORIZATION);
    if (authorization != null) {
      metadata.put(AUTHORIZATION, authorization.getValue());
    }
    return metadata;
  }

  /** Connect's {@code Connect-Timeout-Ms}, or 30 s. */
  private static long timeoutMillis(Request request) {
    String timeout = request.getHeaders().get("Connect-Timeout-Ms");
    try {
      return timeout == null ? DEFAULT_TIMEOUT_MS : Math.max(1, Long.parseLong(timeout.trim()));
    } catch (NumberFormatException e) {
      return DEFAULT_TIMEOUT_MS;
    }
  }

  private static boolean refuse(
      Response response, Callback callback, int httpStatus, Status.Code code, String message) {
    return answer(
        response, callback, httpStatus, ConnectErrors.of(httpStatus, code, message).json());
  }

  private static boolean answer(Response response, Callback callback, int status, String json) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }

  /** A body longer than {@link #MAX_BODY_BYTES}, found while reading it. */
  private static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge() {
      super("the body is over " + MAX_BODY_BYTES + " bytes");
    }
  }
}
