package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.Delivery;
import dev.herald.proto.v1.DeliveryAttempt;
import dev.herald.proto.v1.DeliveryStatus;
import dev.herald.testing.Eventually;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Receivers that answer with bytes meant to break what reads them. Each attempt is recorded, with
 * its error text printable and capped, the delivery ends as it should (no attempt lost and sent
 * again for ever), and no log line carries the receiver's control characters.
 */
class HostileReceiverIT {
  private static HeraldFixture herald;
  private static LogCapture logs;

  @BeforeAll
  static void start() {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_RETRY_MAX_RETRIES", "0");
    herald = HeraldFixture.start(settings);
    logs = LogCapture.attach();
  }

  @AfterAll
  static void stop() {
    logs.close();
    herald.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"nul", "crlf", "escape", "huge-status-line", "invalid-utf8-body", "nul-body"})
  void aHostileAnswerIsRecordedAsPrintableTextAndEndsTheDelivery(String kind) throws Exception {
    try (RawSocketReceiver receiver = new RawSocketReceiver(answer(kind))) {
      String project = "proj-hostile-" + kind;
      herald.webhooks().createWebhook(Requests.webhook(project, receiver.url()));
      String deliveryId =
          herald
              .ingestion()
              .ingestStateChange(Requests.stateChange(project, "bot").build())
              .getDeliveryIds(0);

      Delivery delivery =
          Eventually.await(
              "delivery " + deliveryId + " to end",
              HeraldFixture.WAIT,
              () -> herald.delivery(deliveryId),
              d -> d.getStatus() != DeliveryStatus.DELIVERY_STATUS_PENDING);

      assertEquals(1, delivery.getAttemptsCount(), "one attempt, recorded: " + delivery);
      DeliveryAttempt attempt = delivery.getAttempts(0);
      assertPrintable(attempt.getError());
      assertTrue(attempt.getError().length() <= 256, "capped: " + attempt.getError().length());
      assertTrue(!attempt.getResponseBody().contains("\u0000"), "no NUL stored");
      if (kind.endsWith("-body")) {
        assertEquals(DeliveryStatus.DELIVERY_STATUS_SUCCEEDED, delivery.getStatus());
        assertTrue(attempt.getResponseBody().contains("after"), attempt.getResponseBody());
      } else {
        assertEquals(DeliveryStatus.DELIVERY_STATUS_FAILED, delivery.getStatus());
        assertTrue(!attempt.getError().isEmpty(), "the error says what went wrong");
      }
      assertEquals(1, receiver.requests(), "sent once, not again and again");
    }
    for (String line : logs.lines()) {
      String message = line.lines().findFirst().orElse("");
      assertPrintable(message);
    }
  }

  private static byte[] answer(String kind) {
    return switch (kind) {
      case "nul" -> bytes("HTTP/1.1 2\u0000x OK\r\nContent-Length: 0\r\n\r\n");
      case "crlf" -> bytes("HTTP/1.1 2x\rINFO forged log entry\r\nContent-Length: 0\r\n\r\n");
      case "escape" -> bytes("HTTP/1.1 9\u001b[31mred\u001b[0m\u0007\r\nContent-Length: 0\r\n\r\n");
      case "huge-status-line" -> {
        char[] reason = new char[1024 * 1024];
        Arrays.fill(reason, 'A');
        yield bytes("HTTP/1.1 2xx " + new String(reason) + "\r\nContent-Length: 0\r\n\r\n");
      }
      case "invalid-utf8-body" ->
          withBody(
              new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, '(', 'a', 'f', 't', 'e', 'r'});
      case "nul-body" -> withBody("before\u0000after".getBytes(StandardCharsets.UTF_8));
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static byte[] withBody(byte[] body) {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    answer.writeBytes(bytes("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"));
    answer.writeBytes(body);
    return answer.toByteArray();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void assertPrintable(String text) {
    List<Integer> controls =
        text.chars().filter(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)).boxed().toList();
    assertTrue(controls.isEmpty(), "control characters " + controls + " in: " + text);
  }
}
