package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC server over TLS, and with client certificates required. */
class TlsIT {
  private static final ListWebhooksRequest LIST =
      ListWebhooksRequest.newBuilder().setProjectId("p").build();

  @Test
  void servesOnlyTlsWhenGivenACertificate(@TempDir Path dir) throws Exception {
    TestTls.PemFiles pem = TestTls.get().writePem(dir);
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_TLS_CERT_FILE", pem.serverChain().toString());
    settings.put("HERALD_TLS_KEY_FILE", pem.serverKey().toString());
    try (LogCapture logs = LogCapture.attach();
        HeraldFixture herald = HeraldFixture.start(settings)) {
      ChannelCredentials trusting =
          TlsChannelCredentials.newBuilder().trustManager(pem.ca().toFile()).build();
      assertEquals(0, list(herald.port(), trusting).getWebhooksCount());
      assertRefused(herald.port(), InsecureChannelCredentials.create());
      assertFalse(
          logs.lines().stream().anyMatch(l -> l.contains("without TLS")), "no warning with TLS on");
    }
  }

  @Test
  void servingWithoutTlsOnEveryInterfaceIsWarnedAbout() {
    try (LogCapture logs = LogCapture.attach();
        HeraldFixture herald = HeraldFixture.start()) {
      assertTrue(
          logs.lines().stream()
              .anyMatch(l -> l.contains("without TLS") && l.contains("clear text")),
          "a warning naming the risk: " + logs.lines());
    }
  }

  @Test
  void requiresAClientCertificateSignedByTheClientCa(@TempDir Path dir) throws Exception {
    TestTls.PemFiles pem = TestTls.get().writePem(dir);
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_TLS_CERT_FILE", pem.serverChain().toString());
    settings.put("HERALD_TLS_KEY_FILE", pem.serverKey().toString());
    settings.put("HERALD_TLS_CLIENT_CA_FILE", pem.ca().toString());
    try (HeraldFixture herald = HeraldFixture.start(settings)) {
      ChannelCredentials withCertificate =
          TlsChannelCredentials.newBuilder()
              .trustManager(pem.ca().toFile())
              .keyManager(pem.clientChain().toFile(), pem.clientKey().toFile())
              .build();
      assertEquals(0, list(herald.port(), withCertificate).getWebhooksCount());
      assertRefused(
          herald.port(),
          TlsChannelCredentials.newBuilder().trustManager(pem.ca().toFile()).build());
    }
  }

  private static dev.herald.proto.v1.ListWebhooksResponse list(
      int port, ChannelCredentials credentials) {
    ManagedChannel channel = channel(port, credentials);
    try {
      return WebhookServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .withInterceptors(HeraldFixture.bearer(HeraldFixture.ADMIN_TOKEN))
          .listWebhooks(LIST);
    } finally {
      channel.shutdownNow();
    }
  }

  private static void assertRefused(int port, ChannelCredentials credentials) {
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> list(port, credentials));
    assertEquals(
        Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.getStatus().toString());
  }

  private static ManagedChannel channel(int port, ChannelCredentials credentials) {
    return Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
  }
}
