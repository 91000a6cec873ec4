package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.ProjectQuotas;
import dev.herald.domain.QuotaExceededException;
import dev.herald.domain.Violations;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.secret.SigningSecretService;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Creating, reading, changing and deleting webhook subscriptions. */
public final class WebhookService {
  static final String DELETED = "webhook deleted";
  static final String DEACTIVATED = "webhook deactivated";

  private final WebhookRepository webhooks;
  private final SigningSecretService secrets;
  private final WebhookUrlRules urlRules;
  private final ProjectQuotas quotas;
  private final Clock clock;

  public WebhookService(
      WebhookRepository webhooks,
      SigningSecretService secrets,
      WebhookUrlRules urlRules,
      ProjectQuotas quotas,
      Clock clock) {
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.quotas = requireNonNull(quotas, "quotas");
    this.secrets = requireNonNull(secrets, "secrets");
    this.urlRules = requireNonNull(urlRules, "urlRules");
    this.clock = requireNonNull(clock, "clock");
  }

  public Webhook create(ProjectScope scope, NewWebhook request) {
    // The caller's scope first: checking the URL may look its host up in DNS, which a caller
    // outside the project must not be able to make Herald do.
    new Violations().requireToken("project_id", request.projectId(), Limits.ID_LENGTH).throwIfAny();
    scope.requireProject(request.projectId());
    Violations violations = new Violations();
    if (request.botId() != null) {
      violations.requireToken("bot_id", request.botId(), Limits.ID_LENGTH);
    }
    urlRules.check(request.url(), violations);
    List<Trigger> triggers = TriggerRules.parse(request.triggers(), violations);
    DeliveryControls controls =
        new DeliveryControls(
            DeliveryControlRules.checkEventTypes(request.eventTypes(), violations),
            request.ordering() == null ? Ordering.UNORDERED : request.ordering(),
            DeliveryControlRules.checkRate(
                request.maxRequestsPerSecond() == null ? 0 : request.maxRequestsPerSecond(),
                violations));
    violations.throwIfAny();

    // The project's secret exists before its first delivery can, so receivers can fetch it now.
    secrets.ensureExists(request.projectId());
    Instant now = now();
    Webhook webhook =
        new Webhook(
            UUID.randomUUID(),
            request.projectId(),
            request.botId(),
            request.url(),
            triggers,
            true,
            null,
            now,
            now,
            controls);
    if (!webhooks.insertIfFewerThan(webhook, quotas.webhooks())) {
      throw new QuotaExceededException(
          "project "
              + request.projectId()
              + " has "
              + quotas.webhooks()
              + " webhooks, its quota; delete one first");
    }
    return webhook;
  }

  public Webhook get(ProjectScope scope, UUID id) {
    Webhook webhook = webhooks.find(id).orElseThrow(() -> new NotFoundException("webhook", id));
    scope.requireVisible(webhook.projectId(), "webhook", id);
    return webhook;
  }

  public Page<Webhook> list(ProjectScope scope, String projectId, PageRequest page) {
    new Violations().requireToken("project_id", projectId, Limits.ID_LENGTH).throwIfAny();
    scope.requireProject(projectId);
    return webhooks.list(projectId, page);
  }

  public Webhook update(ProjectScope scope, WebhookChanges changes) {
    Webhook current = get(scope, changes.id()); // in scope before any DNS lookup, as in create
    Violations violations = new Violations();
    changes.url().ifPresent(url -> urlRules.check(url, violations));
    List<Trigger> triggers =
        changes.triggers().isEmpty() ? null : TriggerRules.parse(changes.triggers(), violations);
    DeliveryControls was = current.controls();
    DeliveryControls controls =
        new DeliveryControls(
            changes
                .eventTypes()
                .map(types -> DeliveryControlRules.checkEventTypes(types, violations))
                .orElse(was.eventTypes()),
            changes.ordering().orElse(was.ordering()),
            changes
                .maxRequestsPerSecond()
                .map(rate -> DeliveryControlRules.checkRate(rate, violations))
                .orElse(was.maxRequestsPerSecond()));
    violations.throwIfAny();

    boolean active = changes.active().orElse(current.active());
    Webhook updated =
        new Webhook(
            current.id(),
            current.projectId(),
            current.botId(),
            changes.url().orElse(current.url()),
            triggers == null ? current.triggers() : triggers,
            active,
            active ? null : current.disabledReason(),
            current.createTime(),
            now(),
            controls);
    Optional<String> endPending =
        current.active() && !active ? Optional.of(DEACTIVATED) : Optional.empty();
    webhooks.update(updated, endPending);
    return updated;
  }

  public void delete(ProjectScope scope, UUID id) {
    get(scope, id);
    if (!webhooks.delete(id, now(), DELETED)) {
      throw new NotFoundException("webhook", id);
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
