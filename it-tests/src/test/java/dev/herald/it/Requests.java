package dev.herald.it;

import com.google.protobuf.Timestamp;
import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.IngestStateChangeRequest;
import java.time.Instant;

/** Requests as an internal service or admin tool would send them. */
final class Requests {
  static final String TRIGGER = "bot.state_change";

  private Requests() {}

  static CreateWebhookRequest webhook(String projectId, String url) {
    return CreateWebhookRequest.newBuilder()
        .setProjectId(projectId)
        .setUrl(url)
        .addTriggers(TRIGGER)
        .build();
  }

  static CreateWebhookRequest botWebhook(String projectId, String botId, String url) {
    return webhook(projectId, url).toBuilder().setBotId(botId).build();
  }

  static IngestStateChangeRequest.Builder stateChange(String projectId, String botId) {
    return IngestStateChangeRequest.newBuilder()
        .setProjectId(projectId)
        .setBotId(botId)
        .setOldState("post_processing")
        .setNewState("ended")
        .setEventType("post_processing_completed")
        .setCreatedAt(timestamp(Instant.parse("2023-07-15T14:30:45.123456Z")));
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
