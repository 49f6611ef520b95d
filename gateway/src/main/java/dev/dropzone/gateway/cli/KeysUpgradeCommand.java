package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.audit.KeyRunAudit;
import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.keys.FormatUpgrade;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.gateway.keys.ObjectRun;
import dev.dropzone.gateway.keys.OpenKeyService;
import dev.dropzone.gateway.keys.ServiceCalls;
import dev.dropzone.gateway.keys.UserHomes;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import dev.dropzone.store.rewrap.StoredKeys.Upgrade;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dropzone keys upgrade}: converts format v1 files to format v2 in place. */
@Command(
    name = "upgrade",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Convert format v1 files to format v2: bind each file's key to its owner's home and tag the"
          + " file with its path, so it can no longer be copied, swapped or renamed in storage"
          + " unnoticed.",
      "The owner is the file's dz-user; the home is the users file's, else users/<name>. Files"
          + " not in their owner's home are left in v1 and listed.",
      "Metadata only (server-side copy), no data is re-encrypted. Safe to interrupt and re-run:"
          + " v2 files are skipped. Once a run lists no failures, set keys.acceptFormatV1 to"
          + " false."
    })
final class KeysUpgradeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @Option(
      names = "--prefix",
      paramLabel = "P",
      description = "Only objects under this path below s3.prefix, e.g. users/alice/.",
      defaultValue = "")
  String prefix;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "Objects upgraded at once.",
      defaultValue = "8")
  int parallel;

  @Option(
      names = "--trust-unbound-v1",
      description =
          "With keys.provider eaas: upgrade anyway. Its v1 keys are bound to nothing, so a v1 file"
              + " may be another home's file that a bucket writer copied and relabelled, and the"
              + " upgrade binds it to the home it lies in. Only if nobody but the gateways could"
              + " write to the bucket since the v1 files were written.")
  boolean trustUnboundV1;

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    if (parallel < 1 || parallel > 256) {
      throw new ParameterException(
          spec.commandLine(), "--parallel must be between 1 and 256, not " + parallel);
    }
    RewrapPrefix.problem(prefix)
        .ifPresent(
            problem -> {
              throw new ParameterException(spec.commandLine(), "--prefix " + problem);
            });
    GatewaySettings settings = options.settings();
    if (settings.keyProvider() instanceof KeyProvider.Eaas && !trustUnboundV1) {
      throw new ParameterException(
          spec.commandLine(),
          "keys.provider is eaas, whose format v1 keys are bound to nothing: a v1 file may be"
              + " another home's file a bucket writer copied and relabelled, and upgrading would"
              + " bind it to the home it lies in. If nobody but the gateways could write to the"
              + " bucket since the v1 files were written, run again with --trust-unbound-v1;"
              + " otherwise have their owners upload them again and delete the v1 files.");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ServiceCalls calls = new ServiceCalls(KeysCommand.CALL_TIMEOUT);
    try (KeyRunAudit audit = KeysCommand.audit(settings, "upgrade", Map.of("prefix", prefix));
        OpenKeyService keys = KeysCommand.open(settings);
        StoredKeys stored = StoredKeys.open(settings.s3())) {
      UserHomes homes = UserHomes.of(settings);
      List<StoredObject> objects = stored.objects(prefix);
      out.println("Upgrading " + objects.size() + " object(s) to format v2");
      out.flush();
      FormatUpgrade.Result result;
      try (ProgressBar bar = KeysCommand.progressBar("upgrade", objects.size())) {
        result =
            new FormatUpgrade(stored, keys.service(), calls, homes, parallel)
                .run(objects, bar::step);
      }
      ObjectRun.Summary<Upgrade> summary = result.summary();
      out.printf(
          "Upgraded %d, already v2 %d, not encrypted %d, not in their owner's home %d, failed %d%n",
          summary.count(Upgrade.UPGRADED),
          summary.count(Upgrade.ALREADY_V2),
          summary.count(Upgrade.NOT_ENCRYPTED),
          summary.count(Upgrade.NOT_IN_OWNERS_HOME),
          summary.failures().size());
      if (!result.misplaced().isEmpty()) {
        err.println(
            "Left in format v1, not in the home of the user their dz-user names (copied or moved"
                + " there in storage; they are refused once keys.acceptFormatV1 is false):");
        result.misplaced().forEach(key -> err.println("  " + key));
      }
      if (!summary.failures().isEmpty()) {
        err.println("Failures (run upgrade again once the cause is fixed):");
        summary.failures().forEach(f -> err.println("  " + f));
      }
      err.flush();
      out.flush();
      audit.ended(
          summary.failures().isEmpty() ? "ok" : "failed",
          Map.of(
              "upgraded", summary.count(Upgrade.UPGRADED),
              "current", summary.count(Upgrade.ALREADY_V2),
              "not_encrypted", summary.count(Upgrade.NOT_ENCRYPTED),
              "not_in_owners_home", summary.count(Upgrade.NOT_IN_OWNERS_HOME),
              "failed", summary.failures().size()));
      return summary.failures().isEmpty() ? Main.OK : Main.FAILED;
    } catch (IOException e) {
      throw KeysCommand.failed(settings, "upgrade", e);
    }
  }
}
