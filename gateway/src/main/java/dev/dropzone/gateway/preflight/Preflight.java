package dev.dropzone.gateway.preflight;

import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.config.LocalFiles;
import dev.dropzone.gateway.keys.KeyCheck;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.gateway.keys.LocalKeyset;
import dev.dropzone.gateway.keys.OpenKeyService;
import dev.dropzone.gateway.keys.ServiceCalls;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.store.s3.BucketAccessCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code serve --check} proves before a gateway is started: the configuration is valid, the
 * users file and the keyset are readable and safe, the key service wraps and unwraps, and the
 * bucket accepts what the gateway does to it. Every problem is reported in one run; a check whose
 * configuration is broken is skipped with a note instead of failing for the same reason twice.
 */
public final class Preflight {

  private final ServiceCalls calls;

  public Preflight(Duration keyServiceTimeout) {
    this.calls = new ServiceCalls(keyServiceTimeout);
  }

  public Report run(ConfigLoader.Checked checked) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    checked.problems().forEach(p -> findings.add(Finding.invalid("configuration", p)));
    GatewaySettings settings = checked.settings();
    if (checked.problems().isEmpty()) {
      findings.add(Finding.ok("configuration", "valid"));
    }
    if (settings == null) {
      findings.add(Finding.skipped("users file, key service and S3", "configuration"));
      return new Report(findings);
    }
    users(checked, settings, findings);
    keys(checked, settings, findings);
    s3(checked, settings, findings);
    return new Report(findings);
  }

  private static void users(
      ConfigLoader.Checked checked, GatewaySettings settings, List<Finding> findings) {
    if (settings.auth() != null && !settings.auth().uses(AuthSettings.Backend.FILE)) {
      return;
    }
    if (checked.hasProblemsIn("users") || settings.usersFile() == null) {
      findings.add(Finding.skipped("users file", "users.file"));
      return;
    }
    Path file = settings.usersFile();
    UsersFile users = new UsersFile(file);
    int count;
    try {
      count = users.read().size();
    } catch (IOException e) {
      findings.add(Finding.invalid("users file", e.getMessage()));
      return;
    }
    if (count == 0) {
      findings.add(
          Finding.warning(
              "users file",
              file
                  + (Files.exists(file) ? " has no users" : " does not exist")
                  + ", so nobody can log in through it; add one with: dropzone users add --file "
                  + file
                  + " NAME"));
      return;
    }
    Optional<Set<PosixFilePermission>> permissions;
    try {
      permissions = LocalFiles.permissions(file);
    } catch (IOException e) {
      permissions = Optional.empty();
    }
    String mode = permissions.map(PosixFilePermissions::toString).orElse("");
    if (permissions.isPresent() && LocalFiles.writableByOthers(permissions.get())) {
      findings.add(
          Finding.invalid(
              "users file",
              file
                  + " has permissions "
                  + mode
                  + ": others than its owner may add users to it; run chmod go-w "
                  + file));
    } else if (permissions.isPresent()
        && permissions.get().contains(PosixFilePermission.OTHERS_READ)) {
      findings.add(
          Finding.warning(
              "users file",
              file
                  + " has permissions "
                  + mode
                  + ": every local account can read the password hashes; run chmod o-r "
                  + file
                  + " (the README's Deploying section shows how to mount it)"));
    } else {
      findings.add(Finding.ok("users file", file + ": " + count + " user(s)"));
    }
  }

  private void keys(ConfigLoader.Checked checked, GatewaySettings settings, List<Finding> findings)
      throws InterruptedException {
    KeyProvider provider = settings.keyProvider();
    if (checked.hasProblemsIn("keys") || provider == null) {
      findings.add(Finding.skipped("key service", "keys"));
      return;
    }
    Optional<String> keyset = LocalKeyset.problem(provider);
    if (keyset.isPresent()) {
      findings.add(Finding.invalid("keyset", keyset.get()));
      findings.add(Finding.skipped("key service", "keys.keysetFile"));
      return;
    }
    try (OpenKeyService keys = OpenKeyService.open(provider)) {
      KeyCheck.Result result = new KeyCheck(keys.service(), calls).run();
      findings.add(
          Finding.ok(
              "key service",
              "provider "
                  + provider.name()
                  + ", key "
                  + result.keyRef()
                  + ", wrap "
                  + result.wrap().toMillis()
                  + " ms, unwrap "
                  + result.unwrap().toMillis()
                  + " ms"));
    } catch (KeyServiceException e) {
      findings.add(
          Finding.failed(
              "key service",
              "provider "
                  + provider.name()
                  + " ("
                  + e.failure()
                  + "): "
                  + e.getMessage()
                  + " (check "
                  + provider.configKeys()
                  + ")"));
    }
  }

  private static void s3(
      ConfigLoader.Checked checked, GatewaySettings settings, List<Finding> findings) {
    if (checked.hasProblemsIn("s3") || settings.s3() == null) {
      findings.add(Finding.skipped("S3", "s3"));
      return;
    }
    List<String> problems = new BucketAccessCheck(settings.s3()).run();
    problems.forEach(p -> findings.add(Finding.failed("S3", p)));
    if (problems.isEmpty()) {
      findings.add(
          Finding.ok(
              "S3",
              "bucket '"
                  + settings.s3().bucket()
                  + "': a probe object under '"
                  + settings.s3().key("")
                  + "' was written, read, listed and deleted"));
    }
  }
}
