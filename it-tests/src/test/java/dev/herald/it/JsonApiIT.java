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
import dev.herald.proto.v1.ListWebhooksResponse;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Herald's services as JSON over HTTP (the Connect protocol's unary form), on the HTTP port, with
 * the same authentication, roles, validation and errors as over gRPC.
 *
 * <p>Past 250 lines as one class because each case is one part of the JSON surface over the same
 * server and port, with the request helpers written once at the end.
 */
class JsonApiIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static HeraldFixture herald;

  @BeforeAll
  static void start() {
    herald = HeraldFixture.start();
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void aWebhookCreatedIngestedForAndListedOverJson() throws Exception {
    HttpResponse<String> created =
        post(
            "herald.v1.WebhookService/CreateWebhook",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-json\", \"url\": \"https://example.com/json\","
                + " \"triggers\": [\"bot.state_change\"]}");
    assertEquals(200, created.statusCode(), created.body());
    assertEquals("application/json", created.headers().firstValue("content-type").orElse(""));
    Webhook webhook = parse(created.body(), Webhook.getDefaultInstance());
    assertEquals("https://example.com/json", webhook.getUrl());

    HttpResponse<String> ingested =
        post(
            "herald.v1.IngestionService/IngestStateChange",
            HeraldFixture.ADMIN_TOKEN,
            "{\"projectId\": \"proj-json\", \"botId\": \"bot-json\", \"newState\": \"ended\","
                + " \"eventType\": \"post_processing_completed\", \"eventId\": \"evt-json\"}");
    assertEquals(200, ingested.statusCode(), ingested.body());
    IngestStateChangeResponse ingest =
        parse(ingested.body(), IngestStateChangeResponse.getDefaultInstance());
    assertEquals(1, ingest.getDeliveryIdsCount());

    HttpResponse<String> listed =
        post(
            "herald.v1.DeliveryService/ListDeliveries",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-json\", \"bot_id\": \"bot-json\"}");
    assertEquals(200, listed.statusCode(), listed.body());
    ListDeliveriesResponse deliveries =
        parse(listed.body(), ListDeliveriesResponse.getDefaultInstance());
    assertEquals(ingest.getDeliveryIds(0), deliveries.getDeliveries(0).getId());
    assertEquals(webhook.getId(), deliveries.getDeliveries(0).getWebhookId());
  }

  /**
   * The refusals of the access matrix that come before a request is read, for every unary RPC: no
   * key or a made-up one is 401, a key without the method's role 403.
   */
  @Test
  void everyUnaryRpcRefusesOverJsonAsOverGrpc() throws Exception {
    HttpResponse<String> key =
        post(
            "herald.v1.ApiKeyService/CreateApiKey",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-matrix\", \"roles\": [\"ingest\"], \"name\": \"runner\"}");
    String ingestOnly = parse(key.body(), CreateApiKeyResponse.getDefaultInstance()).getToken();
    List<String> wrong = new ArrayList<>();
    int methods = 0;
    for (ServiceDescriptor service :
        List.of(
            WebhookServiceGrpc.getServiceDescriptor(),
            IngestionServiceGrpc.getServiceDescriptor(),
            DeliveryServiceGrpc.getServiceDescriptor(),
            ApiKeyServiceGrpc.getServiceDescriptor())) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        if (method.getType() != MethodDescriptor.MethodType.UNARY) {
          continue;
        }
        methods++;
        String path = method.getFullMethodName();
        expect(wrong, path, null, 401, "unauthenticated");
        expect(
            wrong, path, "hrld_made-up-token-that-no-key-has-at-all-0001", 401, "unauthenticated");
        if (!path.endsWith("/IngestStateChange")) {
          expect(wrong, path, ingestOnly, 403, "permission_denied");
        }
      }
    }
    assertEquals(17, methods, "every unary RPC");
    assertEquals(List.of(), wrong);
  }

  private static void expect(List<String> wrong, String path, String token, int status, String code)
      throws Exception {
    HttpResponse<String> answer = post(path, token, "{}");
    if (answer.statusCode() != status || !answer.body().startsWith("{\"code\":\"" + code + "\"")) {
      wrong.add(
          path
              + " with "
              + (token == null ? "no key" : token)
              + ": "
              + answer.statusCode()
              + " "
              + answer.body());
    }
  }

  /** A key of another project finds nothing of this one, over JSON as over gRPC. */
  @Test
  void aKeyOfAnotherProjectFindsNothingHere() throws Exception {
    HttpResponse<String> created =
        post(
            "herald.v1.WebhookService/CreateWebhook",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-mine\", \"url\": \"https://example.com/mine\","
                + " \"triggers\": [\"bot.state_change\"]}");
    String webhookId = parse(created.body(), Webhook.getDefaultInstance()).getId();
    HttpResponse<String> key =
        post(
            "herald.v1.ApiKeyService/CreateApiKey",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-theirs\", \"roles\": [\"admin\"], \"name\": \"other\"}");
    String theirs = parse(key.body(), CreateApiKeyResponse.getDefaultInstance()).getToken();

    for (String[] call :
        new String[][] {
          {"herald.v1.WebhookService/GetWebhook", "{\"id\": \"" + webhookId + "\"}"},
          {"herald.v1.WebhookService/ListWebhooks", "{\"project_id\": \"proj-mine\"}"},
          {"herald.v1.WebhookService/SendTestEvent", "{\"webhook_id\": \"" + webhookId + "\"}"},
          {"herald.v1.DeliveryService/ListDeliveries", "{\"project_id\": \"proj-mine\"}"},
        }) {
      HttpResponse<String> refused = post(call[0], theirs, call[1]);
      assertEquals(404, refused.statusCode(), call[0] + ": " + refused.body());
      assertTrue(refused.body().startsWith("{\"code\":\"not_found\""), refused.body());
    }
  }

  @Test
  void aCallWithoutAKeyIsUnauthenticated() throws Exception {
    HttpResponse<String> refused =
        post("herald.v1.WebhookService/ListWebhooks", null, "{\"project_id\": \"proj-json\"}");
    assertEquals(401, refused.statusCode());
    assertTrue(refused.body().startsWith("{\"code\":\"unauthenticated\""), refused.body());
  }

  @Test
  void aReadOnlyKeyMayListButNotCreate() throws Exception {
    HttpResponse<String> key =
        post(
            "herald.v1.ApiKeyService/CreateApiKey",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-read\", \"roles\": [\"read\"], \"name\": \"viewer\"}");
    assertEquals(200, key.statusCode(), key.body());
    String token = parse(key.body(), CreateApiKeyResponse.getDefaultInstance()).getToken();

    HttpResponse<String> listed =
        post("herald.v1.WebhookService/ListWebhooks", token, "{\"project_id\": \"proj-read\"}");
    assertEquals(200, listed.statusCode(), listed.body());
    parse(listed.body(), ListWebhooksResponse.getDefaultInstance());
    HttpResponse<String> refused =
        post(
            "herald.v1.WebhookService/CreateWebhook",
            token,
            "{\"project_id\": \"proj-read\", \"url\": \"https://example.com/r\","
                + " \"triggers\": [\"bot.state_change\"]}");
    assertEquals(403, refused.statusCode());
    assertTrue(refused.body().startsWith("{\"code\":\"permission_denied\""), refused.body());
  }

  @Test
  void invalidInputNamesTheFieldInConnectErrorDetailsAndStoresNothing() throws Exception {
    HttpResponse<String> refused =
        post(
            "herald.v1.WebhookService/CreateWebhook",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-invalid\", \"url\": \"not a url\","
                + " \"triggers\": [\"bot.state_change\"]}");
    assertEquals(400, refused.statusCode());
    String body = refused.body();
    assertTrue(body.startsWith("{\"code\":\"invalid_argument\""), body);
    assertTrue(body.contains("\"type\":\"google.rpc.BadRequest\""), body);
    assertTrue(body.contains("\"field\":\"url\""), body);
    assertTrue(!body.contains("at dev.herald"), "no stack trace: " + body);
    HttpResponse<String> listed =
        post(
            "herald.v1.WebhookService/ListWebhooks",
            HeraldFixture.ADMIN_TOKEN,
            "{\"project_id\": \"proj-invalid\"}");
    assertEquals(
        0, parse(listed.body(), ListWebhooksResponse.getDefaultInstance()).getWebhooksCount());
  }

  @Test
  void malformedJsonAndUnknownFieldsAreInvalidArguments() throws Exception {
    for (String body : new String[] {"{\"project_id\": ", "{\"no_such_field\": 1}"}) {
      HttpResponse<String> refused =
          post("herald.v1.WebhookService/ListWebhooks", HeraldFixture.ADMIN_TOKEN, body);
      assertEquals(400, refused.statusCode(), body);
      assertTrue(refused.body().startsWith("{\"code\":\"invalid_argument\""), refused.body());
    }
  }

  /**
   * Only the request's head is sent, declaring a body of 2 MiB: the refusal comes back before a
   * byte of the body is.
   */
  @Test
  void aBodyOverOneMebibyteIsRefusedUnread() throws Exception {
    try (Socket socket = new Socket("localhost", herald.httpPort())) {
      socket.setSoTimeout(10_000);
      String head =
          "POST /herald.v1.WebhookService/ListWebhooks HTTP/1.1\r\n"
              + "Host: localhost\r\n"
              + "Authorization: Bearer "
              + HeraldFixture.ADMIN_TOKEN
              + "\r\n"
              + "Content-Type: application/json\r\n"
              + "Content-Length: "
              + 2 * 1024 * 1024
              + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readNBytes(512), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("{\"code\":\"resource_exhausted\""), answer);
    }
  }

  @Test
  void unknownRoutesStreamsAndOtherContentTypesAreRefused() throws Exception {
    assertEquals(
        404,
        post("herald.v1.WebhookService/NoSuchMethod", HeraldFixture.ADMIN_TOKEN, "{}")
            .statusCode());
    assertEquals(
        404, post("herald.v1.NoSuchService/Get", HeraldFixture.ADMIN_TOKEN, "{}").statusCode());
    assertEquals(
        404,
        post("herald.v1.DeliveryService/WatchDeliveries", HeraldFixture.ADMIN_TOKEN, "{}")
            .statusCode(),
        "a stream is not a unary call");
    HttpResponse<String> text =
        CLIENT.send(
            request("herald.v1.WebhookService/ListWebhooks", HeraldFixture.ADMIN_TOKEN)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(415, text.statusCode());
  }

  private static HttpResponse<String> post(String method, String token, String json)
      throws Exception {
    return CLIENT.send(
        request(method, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String method, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + herald.httpPort() + "/" + method))
            .timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T parse(String json, T prototype) throws Exception {
    Message.Builder builder = prototype.newBuilderForType();
    JsonFormat.parser().merge(json, builder);
    return (T) builder.build();
  }
}
