package dev.herald.persistence;

import dev.herald.domain.webhook.DeliveryControls;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import dev.herald.persistence.jooq.tables.records.WebhooksRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;

/** Webhooks to and from their rows, read with jOOQ or by hand. */
final class WebhookRows {
  private WebhookRows() {}

  static Webhook toDomain(WebhooksRecord row) {
    return webhook(
        row.getId(),
        row.getProjectId(),
        row.getBotId(),
        row.getUrl(),
        row.getTriggers(),
        row.getActive(),
        row.getDisabledReason(),
        row.getCreateTime(),
        row.getUpdateTime(),
        controls(row.getEventTypes(), row.getOrdering(), row.getMaxRequestsPerSecond()));
  }

  /** A webhook from a JDBC row holding its columns by name, for queries run without jOOQ. */
  static Webhook fromRow(ResultSet row) throws SQLException {
    return webhook(
        row.getObject("id", UUID.class),
        row.getString("project_id"),
        row.getString("bot_id"),
        row.getString("url"),
        (String[]) row.getArray("triggers").getArray(),
        row.getBoolean("active"),
        row.getString("disabled_reason"),
        row.getObject("create_time", OffsetDateTime.class),
        row.getObject("update_time", OffsetDateTime.class),
        controls(
            (String[]) row.getArray("event_types").getArray(),
            row.getString("ordering"),
            row.getObject("max_requests_per_second", Integer.class)));
  }

  private static Webhook webhook(
      UUID id,
      String projectId,
      String botId,
      String url,
      String[] triggers,
      boolean active,
      String disabledReason,
      OffsetDateTime createTime,
      OffsetDateTime updateTime,
      DeliveryControls controls) {
    return new Webhook(
        id,
        projectId,
        botId,
        url,
        Arrays.stream(triggers)
            .map(name -> Trigger.fromWireName(name).orElseThrow(() -> unknownTrigger(name)))
            .toList(),
        active,
        disabledReason,
        Times.fromDb(createTime),
        Times.fromDb(updateTime),
        controls);
  }

  private static DeliveryControls controls(
      String[] eventTypes, String ordering, Integer maxRequestsPerSecond) {
    return new DeliveryControls(
        List.of(eventTypes),
        Ordering.valueOf(ordering),
        maxRequestsPerSecond == null ? OptionalInt.empty() : OptionalInt.of(maxRequestsPerSecond));
  }

  static String[] eventTypes(Webhook webhook) {
    return webhook.controls().eventTypes().toArray(String[]::new);
  }

  static Integer rate(Webhook webhook) {
    OptionalInt rate = webhook.controls().maxRequestsPerSecond();
    return rate.isPresent() ? rate.getAsInt() : null;
  }

  private static IllegalStateException unknownTrigger(String name) {
    return new IllegalStateException("stored webhook has unknown trigger " + name);
  }

  static String[] triggers(Webhook webhook) {
    return webhook.triggers().stream().map(Trigger::wireName).toArray(String[]::new);
  }
}
