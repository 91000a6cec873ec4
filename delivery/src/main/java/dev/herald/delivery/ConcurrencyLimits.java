package dev.herald.delivery;

import dev.herald.domain.delivery.ClaimedDelivery;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Attempts in flight per webhook, per project and per destination (host and port), each with its
 * own limit, so that neither one slow endpoint, nor one tenant's many webhooks, nor many tenants'
 * webhooks to one slow service can take every slot. Callers hold the waiting room's lock, which
 * guards this too.
 */
final class ConcurrencyLimits {
  /**
   * Rounds of a webhook's, project's or destination's slots that its waiting claims must fill
   * before claims pass it over: with fewer, its slots would run dry while the next claim is made.
   * Against a fast endpoint a round takes a millisecond or two, while a claim of a hundred takes 5
   * to 20 ms on a busy machine: with two rounds, a single project's drain found its slots idle at a
   * fifth of its claims. Sixteen would let two saturated tenants fill the waiting room.
   */
  static final int WAITING_ROUNDS = 8;

  private final Counter webhooks;
  private final Counter projects;
  private final Counter hosts;
  private final Counter waitingByProject = new Counter(Integer.MAX_VALUE);
  private final Counter waitingByHost = new Counter(Integer.MAX_VALUE);
  private static final int REMEMBERED_URLS = 10_000;
  private final Map<String, String> destinations = new HashMap<>();

  ConcurrencyLimits(int perWebhook, int perProject, int perHost) {
    this.webhooks = new Counter(perWebhook);
    this.projects = new Counter(perProject);
    this.hosts = new Counter(perHost);
  }

  /** Whether the claim may start now, as far as its webhook is concerned. */
  boolean webhookHasRoom(ClaimedDelivery claim) {
    return webhooks.hasRoom(claim.webhookId());
  }

  /** Whether the claim's project and destination have room, whatever its webhook has. */
  boolean tenantAndHostHaveRoom(ClaimedDelivery claim) {
    return projects.hasRoom(claim.projectId()) && hosts.hasRoom(destinationOf(claim));
  }

  /**
   * Whether the claim's project or destination has every slot it may have and enough claims waiting
   * to fill them {@link #WAITING_ROUNDS} times: more of its claims would only wait, holding room
   * that other tenants' claims need.
   */
  boolean tenantOrHostSaturated(ClaimedDelivery claim) {
    return saturated(projects, waitingByProject, claim.projectId())
        || saturated(hosts, waitingByHost, destinationOf(claim));
  }

  private static boolean saturated(Counter inFlight, Counter waiting, Object key) {
    return !inFlight.hasRoom(key) && waiting.count(key) >= WAITING_ROUNDS * inFlight.limit;
  }

  /** The claim waits for a slot. */
  void waits(ClaimedDelivery claim) {
    waitingByProject.add(claim.projectId(), 1);
    waitingByHost.add(destinationOf(claim), 1);
  }

  /** The claim no longer waits: it starts, or the waiting room is emptied. */
  void stopsWaiting(ClaimedDelivery claim) {
    waitingByProject.add(claim.projectId(), -1);
    waitingByHost.add(destinationOf(claim), -1);
  }

  void take(ClaimedDelivery claim) {
    webhooks.add(claim.webhookId(), 1);
    projects.add(claim.projectId(), 1);
    hosts.add(destinationOf(claim), 1);
  }

  void give(ClaimedDelivery claim) {
    webhooks.add(claim.webhookId(), -1);
    projects.add(claim.projectId(), -1);
    hosts.add(destinationOf(claim), -1);
  }

  /**
   * The destination of the claim's URL, parsed once per URL rather than on every check: the waiting
   * room asks several times for every attempt. Webhook URLs are few; the memo is emptied should it
   * ever hold {@link #REMEMBERED_URLS}.
   */
  private String destinationOf(ClaimedDelivery claim) {
    if (destinations.size() >= REMEMBERED_URLS) {
      destinations.clear();
    }
    return destinations.computeIfAbsent(claim.url(), url -> destination(claim));
  }

  /**
   * Host and port as the client connects to them. The port counts: two services on one host are two
   * destinations, and a slow one should not hold up the other.
   */
  static String destination(ClaimedDelivery claim) {
    try {
      URI url = URI.create(claim.url());
      if (url.getHost() == null) {
        return claim.url();
      }
      int port =
          url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
      return url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (IllegalArgumentException unparsable) {
      return claim.url();
    }
  }

  /** In-flight counts by key; a key leaves the map when its count falls to zero. */
  private static final class Counter {
    private final int limit;
    private final Map<Object, Integer> inFlight = new HashMap<>();

    Counter(int limit) {
      this.limit = limit;
    }

    boolean hasRoom(Object key) {
      return count(key) < limit;
    }

    int count(Object key) {
      return inFlight.getOrDefault(key, 0);
    }

    void add(Object key, int change) {
      inFlight.merge(key, change, (count, delta) -> count + delta == 0 ? null : count + delta);
    }
  }
}
