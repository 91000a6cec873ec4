package dev.herald.api;

import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SigningSecret;

final class SigningSecretMapper {
  private SigningSecretMapper() {}

  static dev.herald.proto.v1.SigningSecret toProto(ProjectSecrets secrets) {
    var current = toProto(secrets.current()).toBuilder();
    secrets.schemes().stream().sorted().forEach(scheme -> current.addSchemes(scheme.wireName()));
    secrets.previous().forEach(previous -> current.addPreviousSecrets(toProto(previous)));
    return current.build();
  }

  private static dev.herald.proto.v1.SigningSecret toProto(SigningSecret secret) {
    var proto =
        dev.herald.proto.v1.SigningSecret.newBuilder()
            .setId(secret.id().toString())
            .setProjectId(secret.projectId())
            .setSecret(secret.base64())
            .setStandardSecret(secret.standardForm())
            .setCreateTime(ProtoTimes.toProto(secret.createTime()));
    if (secret.ed25519() != null) {
      proto.setPublicKey(secret.ed25519().publicForm());
    }
    if (secret.expireTime() != null) {
      proto.setExpireTime(ProtoTimes.toProto(secret.expireTime()));
    }
    return proto.build();
  }
}
