package dev.herald.persistence;

import dev.herald.domain.event.Event;
import dev.herald.domain.json.JsonValue;
import dev.herald.domain.secret.Ed25519KeyPair;
import dev.herald.domain.secret.SigningSecret;
import dev.herald.domain.webhook.Trigger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/** What the queue's tests start from: empty tables, a project that signs, a bot's state change. */
final class QueueFixtures {
  private QueueFixtures() {}

  /** Empties the queue, the history, the webhooks and the signing keys. */
  static void emptied(Transactor transactor) {
    transactor.outsideTransaction(
        dsl ->
            dsl.execute(
                "truncate delivery_attempts, attempt_urls, delivery_queue, deliveries, events,"
                    + " webhooks, signing_secrets, signing_settings, returning_backlogs"));
  }

  /** The signing keys' store, with a current key for {@code project} since {@code now}. */
  static JooqSigningSecretRepository signing(Transactor transactor, String project, Instant now) {
    JooqSigningSecretRepository secrets =
        new JooqSigningSecretRepository(
            transactor, new SecretCipher(new MasterKey(new byte[32]), new SecureRandom()));
    secrets.insertIfNoCurrent(
        new SigningSecret(
            UUID.randomUUID(),
            project,
            new byte[32],
            now,
            null,
            Ed25519KeyPair.generate(new SecureRandom())));
    return secrets;
  }

  /** {@code botId} of project {@code proj} joined, as event {@code eventId}, at {@code at}. */
  static Event joined(String eventId, String botId, Instant at) {
    return new Event(
        UUID.randomUUID(),
        eventId,
        "proj",
        botId,
        Trigger.BOT_STATE_CHANGE,
        JsonValue.NULL,
        null,
        "joined",
        "bot_joined",
        null,
        at,
        at);
  }
}
