package dev.herald.persistence;

import dev.herald.domain.webhook.Webhook;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The live webhooks an ingest batch may fan out to, kept per project between batches, so that a
 * batch whose projects are all known goes to the database once, for its own statement. What is kept
 * holds for one generation of the webhooks ({@code generations}), which every change to what
 * decides a fan-out moves on (V24); the ingest statement checks the generation it was planned at
 * and writes nothing once it has moved on, and the batch is planned again after {@link #forget}.
 * Bot-level webhooks are not kept (a project may have one for each of many short-lived bots): a
 * batch naming a project that has any looks them up for its bots, as every batch once did.
 */
final class FanOutCandidates {
  /**
   * Hand-written because a batch that names a project not kept runs it: the generation, then for
   * each project named (an array, the first parameter) whether it has live bot-level webhooks and
   * its live webhooks that are project-level or belong to one of the batch's bots (the second), one
   * row each, or a row without a webhook if it has none. Read in one snapshot, so the webhooks are
   * those of the generation.
   */
  static final String LOOK_UP =
      """
      select g.generation, p.project as asked,
             exists (select 1 from webhooks b
                      where b.project_id = p.project and b.bot_id is not null
                        and b.delete_time is null and b.active) as has_bot_level,
             w.id, w.project_id, w.bot_id, w.url, w.triggers, w.active, w.disabled_reason,
             w.create_time, w.update_time, w.event_types, w.ordering, w.max_requests_per_second
        from generations g
        cross join unnest(?::text[]) as p(project)
        left join webhooks w
          on w.project_id = p.project and w.delete_time is null and w.active
         and (w.bot_id is null or w.bot_id = any(?::text[]))
       where g.subject = 'webhooks'
      """;

  /** The webhooks a batch may fan out to, as of {@code generation}. */
  record Candidates(long generation, List<Webhook> webhooks) {}

  private record Kept(List<Webhook> projectLevel, boolean hasBotLevel) {}

  private final KeptPerProject<Kept> kept = new KeptPerProject<>();

  /**
   * The candidates for a batch of events of {@code projects} and {@code bots}: those kept, if every
   * project is kept and none has bot-level webhooks, or else looked up on {@code connection}.
   */
  synchronized Candidates of(
      Connection connection, Collection<String> projects, Collection<String> bots)
      throws SQLException {
    List<Webhook> known = new ArrayList<>();
    for (String project : projects) {
      Kept webhooks = kept.get(project);
      if (webhooks == null || webhooks.hasBotLevel()) {
        return lookUp(connection, projects, bots);
      }
      known.addAll(webhooks.projectLevel());
    }
    return new Candidates(kept.generation(), known);
  }

  /** Lets go of every webhook kept: the ingest statement found the generation moved on. */
  synchronized void forget() {
    kept.forget();
  }

  private Candidates lookUp(
      Connection connection, Collection<String> projects, Collection<String> bots)
      throws SQLException {
    long found = -1;
    List<Webhook> webhooks = new ArrayList<>();
    Map<String, List<Webhook>> projectLevel = new HashMap<>();
    Map<String, Boolean> hasBotLevel = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(LOOK_UP)) {
      statement.setString(1, ArrayLiterals.of(List.copyOf(projects)));
      statement.setString(2, ArrayLiterals.of(List.copyOf(bots)));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found = rows.getLong("generation");
          String project = rows.getString("asked");
          hasBotLevel.put(project, rows.getBoolean("has_bot_level"));
          List<Webhook> ofProject = projectLevel.computeIfAbsent(project, p -> new ArrayList<>());
          if (rows.getObject("id", UUID.class) != null) {
            Webhook webhook = WebhookRows.fromRow(rows);
            webhooks.add(webhook);
            if (!webhook.isBotLevel()) {
              ofProject.add(webhook);
            }
          }
        }
      }
    }
    kept.holdFor(found);
    projectLevel.forEach(
        (project, ofProject) ->
            kept.put(project, new Kept(List.copyOf(ofProject), hasBotLevel.get(project))));
    return new Candidates(found, webhooks);
  }
}
