package dev.herald.api;

import dev.herald.domain.Ids;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.webhook.NewWebhook;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookChanges;
import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import java.util.List;
import java.util.Optional;

final class WebhookMapper {
  private WebhookMapper() {}

  static NewWebhook toDomain(CreateWebhookRequest request) {
    String botId = request.hasBotId() && !request.getBotId().isEmpty() ? request.getBotId() : null;
    return new NewWebhook(
        request.getProjectId(),
        botId,
        request.getUrl(),
        request.getTriggersList(),
        request.getEventTypesList(),
        ordering(request.getOrdering()).orElse(null),
        request.getMaxRequestsPerSecond());
  }

  static WebhookChanges toDomain(UpdateWebhookRequest request) {
    return new WebhookChanges(
        Ids.parse("id", request.getId()),
        request.hasUrl() ? Optional.of(request.getUrl()) : Optional.empty(),
        request.getTriggersList(),
        request.hasActive() ? Optional.of(request.getActive()) : Optional.empty(),
        request.hasEventTypes()
            ? Optional.of(List.copyOf(request.getEventTypes().getValuesList()))
            : Optional.empty(),
        ordering(request.getOrdering()),
        request.hasMaxRequestsPerSecond()
            ? Optional.of(request.getMaxRequestsPerSecond())
            : Optional.empty());
  }

  /** Empty for ORDERING_UNSPECIFIED; a value this version does not know is refused. */
  private static Optional<Ordering> ordering(dev.herald.proto.v1.Ordering ordering) {
    return switch (ordering) {
      case ORDERING_UNSPECIFIED -> Optional.empty();
      case ORDERING_UNORDERED -> Optional.of(Ordering.UNORDERED);
      case ORDERING_PER_BOT -> Optional.of(Ordering.PER_BOT);
      case UNRECOGNIZED ->
          throw InvalidArgumentException.of(
              "ordering", "must be ORDERING_UNORDERED or ORDERING_PER_BOT");
    };
  }

  static dev.herald.proto.v1.Webhook toProto(Webhook webhook) {
    return dev.herald.proto.v1.Webhook.newBuilder()
        .setId(webhook.id().toString())
        .setProjectId(webhook.projectId())
        .setUrl(webhook.url())
        .addAllTriggers(webhook.triggers().stream().map(Trigger::wireName).toList())
        .setActive(webhook.active())
        .setDisabledReason(webhook.disabledReason() == null ? "" : webhook.disabledReason())
        .setBotId(webhook.botId() == null ? "" : webhook.botId())
        .setCreateTime(ProtoTimes.toProto(webhook.createTime()))
        .setUpdateTime(ProtoTimes.toProto(webhook.updateTime()))
        .addAllEventTypes(webhook.controls().eventTypes())
        .setOrdering(
            webhook.controls().ordered()
                ? dev.herald.proto.v1.Ordering.ORDERING_PER_BOT
                : dev.herald.proto.v1.Ordering.ORDERING_UNORDERED)
        .setMaxRequestsPerSecond(webhook.controls().maxRequestsPerSecond().orElse(0))
        .build();
  }
}
