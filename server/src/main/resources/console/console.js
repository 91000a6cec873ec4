// Herald's console: a page per route (#/webhooks, #/bots/<id>, #/deliveries/<id>, #/secret,
// #/keys), each calling Herald's JSON API with the API key kept in sessionStorage. Everything
// shown comes from subscribers or callers and is set as text, never parsed as HTML.
"use strict";

const session = {
  get key() { return sessionStorage.getItem("herald.key"); },
  get project() { return sessionStorage.getItem("herald.project"); },
  get admin() { return sessionStorage.getItem("herald.admin") === "true"; },
  save(key, project, admin) {
    sessionStorage.setItem("herald.key", key);
    sessionStorage.setItem("herald.project", project);
    sessionStorage.setItem("herald.admin", String(admin));
  },
  clear() { sessionStorage.clear(); },
};

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || body.code || "HTTP " + status);
    this.status = status;
    this.code = body.code;
  }
}

/** Calls a unary RPC as JSON: call("WebhookService/ListWebhooks", {...}). */
async function call(method, request, key = session.key) {
  const response = await fetch("/herald.v1." + method, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + key },
    body: JSON.stringify(request || {}),
    credentials: "omit",
    cache: "no-store",
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body);
  }
  return body;
}

// ---- building the page, as text only ------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "onclick" || name === "onsubmit" || name === "onchange") {
      node.addEventListener(name.slice(2), value);
    } else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function table(headings, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, headings.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows));
}

function link(route, text) {
  return el("a", { href: "#" + route }, text);
}

function time(value) {
  return value ? new Date(value).toLocaleString() : "";
}

function status(value) {
  const name = (value || "DELIVERY_STATUS_UNSPECIFIED").replace("DELIVERY_STATUS_", "");
  return el("span", { class: "badge " + name, "data-status": name }, name.toLowerCase());
}

function show(...nodes) {
  document.getElementById("main").replaceChildren(...nodes.filter((node) => node));
}

function fail(error) {
  const box = document.getElementById("error");
  box.textContent = error instanceof ApiError ? error.code + ": " + error.message : String(error);
  box.hidden = false;
  if (error instanceof ApiError && error.status === 401) {
    session.clear();
    location.hash = "#/signin";
  }
}

function clearError() {
  document.getElementById("error").hidden = true;
}

/** A line that outlives the page's next refresh, until the next route. */
function tell(text) {
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.hidden = false;
}

/** Runs an action and shows its error, if any; then refreshes the page. */
function action(run) {
  return async (event) => {
    event.preventDefault();
    clearError();
    try {
      await run(event);
      await route();
    } catch (error) {
      fail(error);
    }
  };
}

// ---- pages ----------------------------------------------------------------------------------

/** What the sign-in page shows. Each page returns its nodes, and route() shows them. */
function signInPage() {
  const key = el("input", { type: "password", id: "api-key", placeholder: "API key", required: true, autocomplete: "off" });
  const project = el("input", { type: "text", id: "project", placeholder: "project id", required: true });
  return [el("h1", {}, "Sign in"),
    el("p", { class: "muted" }, "The key stays in this tab only, and is sent to Herald as a bearer token."),
    el("form", { id: "sign-in", onsubmit: async (event) => {
      event.preventDefault();
      clearError();
      try {
        await call("WebhookService/ListWebhooks", { project_id: project.value, page_size: 1 }, key.value);
        const admin = await call("ApiKeyService/ListApiKeys", { project_id: project.value, page_size: 1 }, key.value)
          .then(() => true, (error) => { if (error.status === 403) return false; throw error; });
        session.save(key.value, project.value, admin);
        location.hash = "#/webhooks";
      } catch (error) {
        fail(error);
      }
    } }, key, project, el("button", { type: "submit" }, "Sign in"))];
}

async function webhooksPage() {
  const { webhooks = [] } = await call("WebhookService/ListWebhooks", { project_id: session.project, page_size: 100 });
  const rows = webhooks.map((webhook) => {
    const url = el("input", { type: "url", value: webhook.url, class: "edit-url" });
    const active = el("input", { type: "checkbox", class: "edit-active", checked: !!webhook.active });
    const since = el("input", { type: "datetime-local", class: "recover-since" });
    return el("tr", { "data-webhook": webhook.id },
      el("td", {}, el("span", { class: "webhook-url" }, webhook.url), el("br"), el("span", { class: "muted" }, webhook.id)),
      el("td", {}, (webhook.triggers || []).join(", "),
        webhook.eventTypes ? el("div", { class: "event-types muted" }, "only " + webhook.eventTypes.join(", ")) : null,
        el("div", { class: "webhook-controls muted" }, controls(webhook))),
      el("td", {}, webhook.botId || "project"),
      el("td", { class: "webhook-state" }, webhook.active ? "active" : "inactive",
        webhook.disabledReason ? el("div", { class: "disabled-reason" }, "disabled: " + webhook.disabledReason) : null),
      el("td", { class: "admin-only" },
        el("form", { class: "edit", onsubmit: action(() => call("WebhookService/UpdateWebhook", { id: webhook.id, url: url.value, active: active.checked })) },
          url, el("label", {}, active, "active"), el("button", { type: "submit" }, "Save")),
        el("button", { type: "button", class: "send-test", onclick: action(async () => {
          const sent = await call("WebhookService/SendTestEvent", { webhook_id: webhook.id });
          location.hash = "#/deliveries/" + sent.deliveryId;
        }) }, "Send test event"),
        el("button", { type: "button", class: "delete", onclick: action(() => call("WebhookService/DeleteWebhook", { id: webhook.id })) }, "Delete"),
        el("form", { class: "recover", onsubmit: action(async () => {
          const answer = await call("DeliveryService/RecoverDeliveries", { project_id: session.project, webhook_id: webhook.id, since: new Date(since.value).toISOString() });
          tell((answer.requeuedCount || 0) + " failed deliveries sent again");
        }) }, el("span", {}, "Recover failed since"), since, el("button", { type: "submit" }, "Recover"))));
  });
  const url = el("input", { type: "url", id: "new-url", placeholder: "https://…", required: true, size: 40 });
  const bot = el("input", { type: "text", id: "new-bot", placeholder: "bot id (optional)" });
  const types = el("input", { type: "text", id: "new-event-types", placeholder: "event types, comma-separated (optional)", size: 30 });
  const ordered = el("input", { type: "checkbox", id: "new-ordered" });
  const rate = el("input", { type: "number", id: "new-rate", min: 0, max: 10000, placeholder: "requests/s (optional)" });
  return [el("h1", {}, "Webhooks of " + session.project),
    table(["URL", "Triggers", "For", "State", ""], rows),
    el("h2", { class: "admin-only" }, "New webhook"),
    el("form", { id: "create-webhook", class: "admin-only", onsubmit: action(() => call("WebhookService/CreateWebhook", {
      project_id: session.project, url: url.value, triggers: ["bot.state_change"], bot_id: bot.value || undefined,
      event_types: types.value.split(",").map((t) => t.trim()).filter((t) => t),
      ordering: ordered.checked ? "ORDERING_PER_BOT" : "ORDERING_UNORDERED",
      max_requests_per_second: Number(rate.value) || 0,
    })) }, url, el("label", {}, el("input", { type: "checkbox", checked: true, disabled: true }), "bot.state_change"), bot, types,
    el("label", {}, ordered, "ordered per bot"), rate,
    el("button", { type: "submit" }, "Create"))];
}

/** What the subscriber asked of the webhook's deliveries, in words. */
function controls(webhook) {
  const said = [webhook.ordering === "ORDERING_PER_BOT" ? "ordered per bot" : "unordered"];
  if (webhook.maxRequestsPerSecond) said.push("at most " + webhook.maxRequestsPerSecond + " requests/s");
  return said.join(", ");
}

async function botPage(botId, query) {
  const botInput = el("input", { type: "text", id: "bot-id", value: botId || "", placeholder: "bot id", required: true });
  const statusSelect = el("select", { id: "status-filter" },
    ["", "PENDING", "SUCCEEDED", "FAILED"].map((s) => el("option", { value: s, selected: query.get("status") === s }, s ? s.toLowerCase() : "any status")));
  const webhookInput = el("input", { type: "text", id: "webhook-filter", value: query.get("webhook") || "", placeholder: "webhook id (optional)" });
  const form = el("form", { id: "find-bot", onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (statusSelect.value) next.set("status", statusSelect.value);
    if (webhookInput.value) next.set("webhook", webhookInput.value);
    location.hash = "#/bots/" + encodeURIComponent(botInput.value) + (next.toString() ? "?" + next : "");
  } }, botInput, statusSelect, webhookInput, el("button", { type: "submit" }, "Show"));
  if (!botId) {
    return [el("h1", {}, "Bot deliveries"), form];
  }
  const request = { project_id: session.project, bot_id: botId, page_size: 20, page_token: query.get("page") || undefined };
  if (query.get("status")) request.status = "DELIVERY_STATUS_" + query.get("status");
  if (query.get("webhook")) request.webhook_id = query.get("webhook");
  const { deliveries = [], nextPageToken } = await call("DeliveryService/ListDeliveries", request);
  const rows = deliveries.map((delivery) => el("tr", { "data-delivery": delivery.id },
    el("td", {}, link("/deliveries/" + delivery.id, time(delivery.createTime))),
    el("td", {}, delivery.url),
    el("td", {}, delivery.trigger),
    el("td", {}, status(delivery.status), delivery.waitingInLine ? el("div", { class: "muted" }, "waiting for the bot's earlier delivery") : null),
    el("td", { class: "attempts" }, String(delivery.attemptCount || 0)),
    el("td", {}, time(delivery.lastAttemptTime)),
    el("td", {}, time(delivery.succeededTime)),
    el("td", { class: "admin-only" }, delivery.status === "DELIVERY_STATUS_PENDING" ? "" :
      el("button", { type: "button", class: "resend", onclick: action(() => call("DeliveryService/RetryDelivery", { id: delivery.id })) }, "Resend"))));
  const more = new URLSearchParams(query);
  more.set("page", nextPageToken || "");
  return [el("h1", {}, "Deliveries of bot ", el("span", { id: "bot-title" }, botId)), form,
    table(["Created", "Webhook URL", "Trigger", "Status", "Attempts", "Last attempt", "Succeeded at", ""], rows),
    deliveries.length === 0 ? el("p", { class: "muted" }, "No deliveries.") : null,
    nextPageToken ? link("/bots/" + encodeURIComponent(botId) + "?" + more, "Older deliveries") : null];
}

async function deliveryPage(id) {
  const delivery = await call("DeliveryService/GetDelivery", { id });
  let pretty = delivery.payload;
  try { pretty = JSON.stringify(JSON.parse(delivery.payload), null, 2); } catch (notJson) { /* shown raw */ }
  const attempts = (delivery.attempts || []).map((attempt) => el("tr", { class: "attempt" },
    el("td", {}, String(attempt.attemptNumber || 0)),
    el("td", {}, time(attempt.startTime)),
    el("td", {}, (attempt.durationMs || 0) + " ms"),
    el("td", { class: "status-code" }, attempt.responseStatusCode ? String(attempt.responseStatusCode) : ""),
    el("td", {}, el("pre", { class: "response-body" }, attempt.responseBody || "")),
    el("td", { class: "attempt-error" }, attempt.error || "")));
  const headers = [
    "Content-Type: application/json",
    "User-Agent: Herald-Webhooks",
    "webhook-id: " + delivery.idempotencyKey,
    "webhook-timestamp: <Unix seconds of each attempt's start>",
    "webhook-signature: v1,<HMAC of id.timestamp.body, one per signing key>",
    "X-Webhook-Signature: <HMAC of the body with the newest key>",
  ].join("\n");
  return [el("h1", {}, "Delivery ", el("span", { id: "delivery-id" }, delivery.id), " ", status(delivery.status)),
    el("p", {}, "To ", delivery.url, " · bot ", link("/bots/" + encodeURIComponent(delivery.botId || ""), delivery.botId || "(none)"),
      " · ", delivery.trigger, delivery.failureReason ? " · " + delivery.failureReason : ""),
    el("button", { type: "button", class: "resend admin-only", hidden: delivery.status === "DELIVERY_STATUS_PENDING",
      onclick: action(() => call("DeliveryService/RetryDelivery", { id })) }, "Resend"),
    el("h2", {}, "Attempts"),
    table(["#", "Time", "Duration", "Status", "Response body", "Error"], attempts),
    el("h2", {}, "Body sent"), el("pre", { id: "payload-pretty" }, pretty),
    el("details", {}, el("summary", {}, "Raw"), el("pre", { id: "payload-raw" }, delivery.payload)),
    el("h2", {}, "Headers Herald sent"), el("pre", { id: "headers" }, headers),
    el("p", { class: "muted" }, "Signatures are computed at each attempt from the project's signing keys and are not stored.")];
}

async function secretPage() {
  const secret = await call("WebhookService/GetSigningSecret", { project_id: session.project });
  const value = el("code", { id: "secret-value" }, "••••••••");
  const overlap = el("input", { type: "number", id: "overlap", value: 86400, min: 0 });
  return [el("h1", {}, "Signing secret of " + session.project),
    el("p", {}, "Current key ", el("span", { id: "secret-id" }, secret.id), ", made ", time(secret.createTime)),
    el("p", {}, value, " ", el("button", { type: "button", id: "reveal", onclick: () => { value.textContent = secret.secret; } }, "Reveal")),
    el("p", { class: "muted" }, (secret.previousSecrets || []).length + " previous key(s) still signing."),
    el("p", {}, "Signatures: ", el("span", { id: "schemes" }, (secret.schemes || []).join(", ")),
      secret.publicKey ? el("span", {}, "; Ed25519 public key for v1a ", el("code", { id: "public-key" }, secret.publicKey)) : null),
    el("form", { id: "rotate", onsubmit: action(() => call("WebhookService/RotateSigningSecret", { project_id: session.project, overlap: overlap.value + "s" })) },
      el("span", {}, "Rotate, the old key signing on for"), overlap, el("span", {}, "seconds"), el("button", { type: "submit" }, "Rotate"))];
}

async function keysPage() {
  const { apiKeys = [] } = await call("ApiKeyService/ListApiKeys", { project_id: session.project, page_size: 100 });
  const rows = apiKeys.map((key) => el("tr", { "data-key": key.id },
    el("td", {}, key.name), el("td", {}, (key.roles || []).join(", ")), el("td", {}, key.tokenPrefix + "…"),
    el("td", {}, time(key.createTime)), el("td", {}, key.revokeTime ? "revoked " + time(key.revokeTime) :
      el("button", { type: "button", class: "revoke", onclick: action(() => call("ApiKeyService/RevokeApiKey", { id: key.id })) }, "Revoke"))));
  const name = el("input", { type: "text", id: "key-name", placeholder: "name", required: true });
  const role = el("select", { id: "key-role" }, ["read", "ingest", "admin"].map((r) => el("option", { value: r }, r)));
  const shown = el("p", { id: "new-token", class: "notice", hidden: true });
  return [el("h1", {}, "API keys of " + session.project), table(["Name", "Roles", "Token", "Created", ""], rows),
    el("h2", {}, "New key"),
    el("form", { id: "create-key", onsubmit: async (event) => {
      event.preventDefault();
      clearError();
      try {
        const created = await call("ApiKeyService/CreateApiKey", { project_id: session.project, roles: [role.value], name: name.value });
        show(...await keysPage());
        const notice = document.getElementById("new-token");
        notice.textContent = "Token, shown this once: " + created.token;
        notice.hidden = false;
      } catch (error) { fail(error); }
    } }, name, role, el("button", { type: "submit" }, "Create")), shown];
}

// ---- routing --------------------------------------------------------------------------------

let polling;

/**
 * Routes begun so far. A page whose data comes back after a later route began is not shown: a
 * page still loading when the user signed out or moved on would otherwise replace the newer one.
 */
let routes = 0;

async function route() {
  clearTimeout(polling);
  const current = ++routes;
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const signedIn = !!session.key;
  document.getElementById("nav").hidden = !signedIn;
  document.body.classList.toggle("read-only", signedIn && !session.admin);
  document.getElementById("who").textContent = signedIn ? session.project + (session.admin ? " · admin" : " · read-only") : "";
  if (!signedIn || parts[0] === "signin") {
    show(...signInPage());
    return;
  }
  try {
    let page;
    switch (parts[0]) {
      case "bots": page = await botPage(parts[1], query); break;
      case "deliveries": page = await deliveryPage(parts[1]); break;
      case "secret": page = await secretPage(); break;
      case "keys": page = await keysPage(); break;
      default: page = await webhooksPage();
    }
    if (current !== routes) {
      return;
    }
    show(...page);
    if (parts[0] === "bots" && parts[1] || parts[0] === "deliveries") {
      // New outcomes appear without a reload, unless the user is typing in the page.
      polling = setTimeout(function refresh() {
        if (document.getElementById("main").contains(document.activeElement)
            && document.activeElement.matches("input, select")) {
          polling = setTimeout(refresh, 3000);
        } else {
          route().catch(fail);
        }
      }, 3000);
    }
  } catch (error) {
    if (current === routes) {
      fail(error);
    }
  }
}

window.addEventListener("hashchange", () => {
  clearError();
  document.getElementById("notice").hidden = true;
  route();
});
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("sign-out").addEventListener("click", () => {
    session.clear();
    location.hash = "#/signin";
  });
  route();
});
