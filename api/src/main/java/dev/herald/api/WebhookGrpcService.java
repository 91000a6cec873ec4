package dev.herald.api;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Ids;
import dev.herald.domain.event.TestEventService;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.domain.secret.SigningSecretService;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookService;
import dev.herald.proto.v1.CreateWebhookRequest;
import dev.herald.proto.v1.DeleteWebhookRequest;
import dev.herald.proto.v1.DeleteWebhookResponse;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.ListWebhooksResponse;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.SendTestEventRequest;
import dev.herald.proto.v1.SendTestEventResponse;
import dev.herald.proto.v1.UpdateSigningSettingsRequest;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.UUID;

final class WebhookGrpcService extends WebhookServiceGrpc.WebhookServiceImplBase {
  private final WebhookService webhooks;
  private final SigningSecretService secrets;
  private final TestEventService tests;

  WebhookGrpcService(
      WebhookService webhooks, SigningSecretService secrets, TestEventService tests) {
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.secrets = requireNonNull(secrets, "secrets");
    this.tests = requireNonNull(tests, "tests");
  }

  @Override
  public void sendTestEvent(
      SendTestEventRequest request, StreamObserver<SendTestEventResponse> response) {
    UUID delivery = tests.send(Callers.scope(), Ids.parse("webhook_id", request.getWebhookId()));
    Unary.reply(
        response, SendTestEventResponse.newBuilder().setDeliveryId(delivery.toString()).build());
  }

  @Override
  public void createWebhook(
      CreateWebhookRequest request, StreamObserver<dev.herald.proto.v1.Webhook> response) {
    Webhook created = webhooks.create(Callers.scope(), WebhookMapper.toDomain(request));
    Unary.reply(response, WebhookMapper.toProto(created));
  }

  @Override
  public void getWebhook(
      GetWebhookRequest request, StreamObserver<dev.herald.proto.v1.Webhook> response) {
    Webhook webhook = webhooks.get(Callers.scope(), Ids.parse("id", request.getId()));
    Unary.reply(response, WebhookMapper.toProto(webhook));
  }

  @Override
  public void listWebhooks(
      ListWebhooksRequest request, StreamObserver<ListWebhooksResponse> response) {
    PageRequest pageRequest = PageRequest.of(request.getPageSize(), request.getPageToken());
    Page<Webhook> page = webhooks.list(Callers.scope(), request.getProjectId(), pageRequest);
    Unary.reply(
        response,
        ListWebhooksResponse.newBuilder()
            .addAllWebhooks(page.items().stream().map(WebhookMapper::toProto).toList())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  @Override
  public void updateWebhook(
      UpdateWebhookRequest request, StreamObserver<dev.herald.proto.v1.Webhook> response) {
    Webhook updated = webhooks.update(Callers.scope(), WebhookMapper.toDomain(request));
    Unary.reply(response, WebhookMapper.toProto(updated));
  }

  @Override
  public void deleteWebhook(
      DeleteWebhookRequest request, StreamObserver<DeleteWebhookResponse> response) {
    webhooks.delete(Callers.scope(), Ids.parse("id", request.getId()));
    Unary.reply(response, DeleteWebhookResponse.getDefaultInstance());
  }

  @Override
  public void getSigningSecret(
      GetSigningSecretRequest request, StreamObserver<dev.herald.proto.v1.SigningSecret> response) {
    Unary.reply(
        response,
        SigningSecretMapper.toProto(secrets.get(Callers.scope(), request.getProjectId())));
  }

  @Override
  public void rotateSigningSecret(
      RotateSigningSecretRequest request,
      StreamObserver<dev.herald.proto.v1.SigningSecret> response) {
    Duration overlap =
        request.hasOverlap() ? ProtoTimes.toDuration("overlap", request.getOverlap()) : null;
    Unary.reply(
        response,
        SigningSecretMapper.toProto(
            secrets.rotate(Callers.scope(), request.getProjectId(), overlap)));
  }

  @Override
  public void updateSigningSettings(
      UpdateSigningSettingsRequest request,
      StreamObserver<dev.herald.proto.v1.SigningSecret> response) {
    Unary.reply(
        response,
        SigningSecretMapper.toProto(
            secrets.updateSchemes(
                Callers.scope(), request.getProjectId(), request.getSchemesList())));
  }
}
