package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.herald.proto.v1.ApiKeyServiceGrpc;
import dev.herald.proto.v1.CreateApiKeyResponse;
import dev.herald.proto.v1.DeliveryServiceGrpc;
import dev.herald.proto.v1.IngestStateChangeResponse;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListDeliveriesResponse;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's grpcurl walk-through: each {@code -d '<json>'} body is parsed with protobuf's
 * JSON mapping (as grpcurl does) into the request of the method the command names, and sent to a
 * server started with the default settings. A renamed field or method breaks this test.
 */
class ReadmeWalkthroughIT {
  private static final Pattern GRPCURL =
      Pattern.compile(
          "^grpcurl -plaintext -H \"authorization: Bearer \\$HERALD_TOKEN\" -d '(\\{.*\\})' localhost:50051 ([\\w.]+)/(\\w+)$");

  private static final Pattern CURL =
      Pattern.compile(
          "^curl -s -H \"Authorization: Bearer \\$HERALD_TOKEN\" -H \"Content-Type:"
              + " application/json\" -d '(\\{.*\\})' localhost:8080/([\\w.]+/\\w+)$");

  @Test
  void everyCurlCommandInTheReadmeWorksAgainstTheDefaultServer() throws Exception {
    List<Matcher> commands = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(System.getProperty("herald.readme")))) {
      Matcher matcher = CURL.matcher(line.trim());
      if (matcher.matches()) {
        commands.add(matcher);
      }
    }
    assertEquals(3, commands.size(), "the JSON walk-through's commands");
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_REQUIRE_HTTPS");
    settings.remove("HERALD_ALLOW_PRIVATE_NETWORKS");
    HttpClient client = HttpClient.newHttpClient();
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      for (Matcher command : commands) {
        HttpResponse<String> answer =
            client.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:" + herald.httpPort() + "/" + command.group(2)))
                    .header("Authorization", "Bearer " + HeraldFixture.ADMIN_TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(command.group(1)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), command.group(0) + ": " + answer.body());
      }
    }
  }

  @Test
  void everyGrpcurlCommandInTheReadmeWorksAgainstTheDefaultServer() throws Exception {
    List<Matcher> commands = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(System.getProperty("herald.readme")))) {
      Matcher matcher = GRPCURL.matcher(line.trim());
      if (matcher.matches()) {
        commands.add(matcher);
      }
    }
    assertEquals(12, commands.size(), "the walk-through's commands with a request body");

    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_REQUIRE_HTTPS");
    settings.remove("HERALD_ALLOW_PRIVATE_NETWORKS");
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      Map<String, Message> answers = new HashMap<>();
      String deliveryId = null;
      String webhookId = null;
      String apiKeyId = null;
      for (Matcher command : commands) {
        String json = command.group(1);
        if (json.contains("<delivery id")) {
          json = json.replaceAll("<delivery id[^\"]*>", deliveryId);
        }
        if (json.contains("<webhook id")) {
          json = json.replaceAll("<webhook id[^\"]*>", webhookId);
        }
        if (json.contains("<api key id")) {
          json = json.replaceAll("<api key id[^\"]*>", apiKeyId);
        }
        try {
          Message answer = call(herald, command.group(2) + "/" + command.group(3), json);
          answers.put(command.group(3), answer);
          if (answer instanceof IngestStateChangeResponse ingested) {
            deliveryId = ingested.getDeliveryIds(0);
          }
          if (answer instanceof Webhook webhook) {
            webhookId = webhook.getId();
          }
          if (answer instanceof CreateApiKeyResponse created) {
            apiKeyId = created.getApiKey().getId();
          }
        } catch (StatusRuntimeException e) {
          // The request was understood; the delivery is just not in a state to retry yet.
          assertEquals(
              Status.Code.FAILED_PRECONDITION,
              e.getStatus().getCode(),
              command.group(0) + ": " + e);
        }
      }
      IngestStateChangeResponse ingested =
          (IngestStateChangeResponse) answers.get("IngestStateChange");
      assertEquals("evt_0001", ingested.getEventId());
      assertEquals(1, ingested.getDeliveryIdsCount());
      ListDeliveriesResponse listed = (ListDeliveriesResponse) answers.get("ListDeliveries");
      assertEquals(ingested.getDeliveryIds(0), listed.getDeliveries(0).getId());
      assertTrue(listed.getDeliveries(0).getPayload().contains("\"customer\":\"acme\""));
    }
  }

  @SuppressWarnings("unchecked")
  private static Message call(HeraldFixture herald, String fullMethodName, String json)
      throws Exception {
    MethodDescriptor<Message, Message> method =
        Stream.of(
                ApiKeyServiceGrpc.getServiceDescriptor(),
                WebhookServiceGrpc.getServiceDescriptor(),
                IngestionServiceGrpc.getServiceDescriptor(),
                DeliveryServiceGrpc.getServiceDescriptor())
            .map(ServiceDescriptor::getMethods)
            .flatMap(java.util.Collection::stream)
            .filter(m -> m.getFullMethodName().equals(fullMethodName))
            .map(m -> (MethodDescriptor<Message, Message>) m)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("README names an unknown method " + fullMethodName));
    Message prototype =
        ((MethodDescriptor.PrototypeMarshaller<Message>) method.getRequestMarshaller())
            .getMessagePrototype();
    Message.Builder request = prototype.newBuilderForType();
    JsonFormat.parser().merge(json, request);
    return ClientCalls.blockingUnaryCall(
        herald.channel(),
        method,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request.build());
  }
}
