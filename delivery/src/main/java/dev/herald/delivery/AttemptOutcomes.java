package dev.herald.delivery;

import dev.herald.domain.delivery.DeliveryAttempt;

/** The few words an attempt's outcome is counted under, read from what the sender recorded. */
final class AttemptOutcomes {
  private AttemptOutcomes() {}

  static String label(DeliveryAttempt attempt) {
    if (attempt.succeeded()) {
      return "success";
    }
    int status = attempt.responseStatusCode();
    if (status >= 400 && status < 500) {
      return "http_4xx";
    }
    if (status >= 500 && status < 600) {
      return "http_5xx";
    }
    if (status != 0) {
      return "http_other";
    }
    String error = attempt.error();
    if (error.equals(WebhookSender.BLOCKED)) {
      return "blocked";
    }
    if (error.equals(WebhookSender.DNS_FAILURE)) {
      return "dns";
    }
    if (error.endsWith("timeout")) {
      return "timeout";
    }
    if (error.startsWith(WebhookSender.TLS_ERROR)) {
      return "tls";
    }
    return "connection";
  }
}
