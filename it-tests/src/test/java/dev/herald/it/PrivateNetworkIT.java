package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.herald.delivery.HostResolver;
import dev.herald.proto.v1.CreateApiKeyRequest;
import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The production server with private networks refused (the default), and a resolver the test
 * controls in place of DNS: what a hostile or changing name can and cannot make Herald contact.
 */
class PrivateNetworkIT {
  private static final String PROJECT = "proj-ssrf";
  private static final String PUBLIC = "93.184.215.14";

  /** What every name resolves to at the moment; the test changes it as DNS rebinding would. */
  private static final AtomicReference<String> answer = new AtomicReference<>(PUBLIC);

  /** Every name looked up, in order. */
  private static final List<String> lookups = new CopyOnWriteArrayList<>();

  private static HeraldFixture herald;
  private static Receiver receiver;

  @BeforeAll
  static void start() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_ALLOW_PRIVATE_NETWORKS", "false");
    HostResolver scripted =
        host -> {
          lookups.add(host);
          return List.of(address(answer.get()));
        };
    herald =
        HeraldFixture.start(
            settings, binder -> binder.bind(HostResolver.class).toInstance(scripted));
    receiver = Receiver.http();
  }

  @AfterAll
  static void stop() {
    herald.close();
    receiver.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a00:1::]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.64.0.1/",
        "http://localhost/",
        "http://app.localhost/",
        "http://0/"
      })
  void createAndUpdateRefuseANonPublicHostAndStoreNothing(String url) {
    Map<String, List<String>> before = herald.snapshot();
    StatusRuntimeException created =
        assertThrows(
            StatusRuntimeException.class,
            () -> herald.webhooks().createWebhook(Requests.webhook(PROJECT, url)));
    assertRefusedUrl(created);
    assertEquals(before, herald.snapshot(), "nothing stored");
  }

  @Test
  void aCallerOutsideTheProjectCannotMakeHeraldLookAHostUp() {
    String token =
        herald
            .keys()
            .createApiKey(
                CreateApiKeyRequest.newBuilder()
                    .setProjectId("proj-other")
                    .addRoles("admin")
                    .build())
            .getToken();
    ManagedChannel other = HeraldFixture.channel(herald.port(), token);
    try {
      WebhookServiceGrpc.WebhookServiceBlockingStub stub =
          WebhookServiceGrpc.newBlockingStub(other).withDeadlineAfter(10, TimeUnit.SECONDS);
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> stub.createWebhook(Requests.webhook(PROJECT, "https://probe-create.example/")));
      assertEquals(Status.Code.NOT_FOUND, refused.getStatus().getCode());
      Webhook theirs =
          herald.webhooks().createWebhook(Requests.webhook(PROJECT, "https://" + PUBLIC + "/"));
      StatusRuntimeException notTheirs =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  stub.updateWebhook(
                      UpdateWebhookRequest.newBuilder()
                          .setId(theirs.getId())
                          .setUrl("https://probe-update.example/")
                          .build()));
      assertEquals(Status.Code.NOT_FOUND, notTheirs.getStatus().getCode());
    } finally {
      other.shutdownNow();
    }
    assertTrue(
        lookups.stream().noneMatch(host -> host.startsWith("probe-")),
        "no name looked up for a caller outside the project: " + lookups);
  }

  @Test
  void aRefusalNamesTheKindOfAddressNotTheAddressTheNameResolvedTo() {
    answer.set("10.1.2.3");
    try {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  herald
                      .webhooks()
                      .createWebhook(Requests.webhook(PROJECT, "https://internal.example/")));
      assertRefusedUrl(refused);
      assertTrue(
          !refused.getStatus().toString().contains("10.1.2.3"), refused.getStatus().toString());
      BadRequest details =
          StatusProto.fromThrowable(refused).getDetailsList().get(0).unpack(BadRequest.class);
      assertTrue(!details.toString().contains("10.1.2.3"), details.toString());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    } finally {
      answer.set(PUBLIC);
    }
  }

  @Test
  void updateRefusesANonPublicHostToo() {
    answer.set(PUBLIC);
    Webhook webhook =
        herald.webhooks().createWebhook(Requests.webhook(PROJECT, "http://fine.example/hook"));
    StatusRuntimeException updated =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                herald
                    .webhooks()
                    .updateWebhook(
                        UpdateWebhookRequest.newBuilder()
                            .setId(webhook.getId())
                            .setUrl("http://0x0a000001/")
                            .build()));
    assertRefusedUrl(updated);
  }

  /**
   * The name is public when the webhook is created and points at the receiver on loopback when the
   * delivery is made: the receiver must never see a request, and each attempt says why.
   */
  @Test
  void aNameThatRebindsToLoopbackAfterCreationIsNeverContacted() {
    answer.set(PUBLIC);
    String url = "http://rebinding.example:" + receiverPort() + "/rebound";
    Webhook webhook = herald.webhooks().createWebhook(Requests.webhook(PROJECT + "-rebind", url));
    answer.set(loopbackTheReceiverListensOn());
    String id =
        herald
            .ingestion()
            .ingestStateChange(Requests.stateChange(webhook.getProjectId(), "bot-1").build())
            .getDeliveryIds(0);

    Delivery delivery = herald.awaitAttempts(id, 2);
    for (DeliveryAttempt attempt : delivery.getAttemptsList()) {
      assertEquals("blocked_address", attempt.getError(), attempt.toString());
      assertEquals(0, attempt.getResponseStatusCode());
    }
    assertEquals(List.of(), receiver.requests("/rebound"), "nothing reached the loopback receiver");
  }

  private static void assertRefusedUrl(StatusRuntimeException error) {
    assertEquals(
        Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.getStatus().toString());
    try {
      List<String> fields =
          StatusProto.fromThrowable(error)
              .getDetails(0)
              .unpack(BadRequest.class)
              .getFieldViolationsList()
              .stream()
              .map(BadRequest.FieldViolation::getField)
              .toList();
      assertEquals(List.of("url"), fields);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    assertTrue(
        error.getStatus().getDescription().contains("url"), error.getStatus().getDescription());
  }

  private static String loopbackTheReceiverListensOn() {
    try {
      return InetAddress.getByName("localhost").getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int receiverPort() {
    return java.net.URI.create(receiver.url("/")).getPort();
  }

  private static InetAddress address(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }
}
