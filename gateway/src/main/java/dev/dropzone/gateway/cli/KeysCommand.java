package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.audit.KeyRunAudit;
import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.keys.KeyCheck;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.gateway.keys.KeyRotation;
import dev.dropzone.gateway.keys.LocalKeyset;
import dev.dropzone.gateway.keys.ObjectRewrap;
import dev.dropzone.gateway.keys.ObjectRun;
import dev.dropzone.gateway.keys.OpenKeyService;
import dev.dropzone.gateway.keys.ServiceCalls;
import dev.dropzone.gateway.keys.UserHomes;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.Outcome;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dropzone keys}: checks the key service, rotates user keys, rewraps and upgrades objects.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Key maintenance against the configured key service and bucket.",
    subcommands = {
      KeysCommand.Init.class,
      KeysCommand.Check.class,
      KeysCommand.Rotate.class,
      KeysCommand.Rewrap.class,
      KeysUpgradeCommand.class
    })
final class KeysCommand implements Runnable {

  /** The longest one key-service call may take before the command reports it unavailable. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "Missing subcommand: choose one of init, check, rotate, rewrap, upgrade");
  }

  static OpenKeyService open(GatewaySettings settings) {
    LocalKeyset.problem(settings.keyProvider())
        .ifPresent(
            problem -> {
              throw new CommandFailure(Main.USAGE, problem);
            });
    try {
      return OpenKeyService.open(settings.keyProvider());
    } catch (KeyServiceException e) {
      throw new CommandFailure(
          Main.FAILED,
          "cannot open the '"
              + settings.keyProvider().name()
              + "' key service: "
              + e.getMessage()
              + " (check keys.provider and "
              + settings.keyProvider().configKeys()
              + ")",
          e);
    }
  }

  static CommandFailure failed(GatewaySettings settings, String what, Exception e) {
    return new CommandFailure(
        Main.FAILED,
        what
            + " failed with the '"
            + settings.keyProvider().name()
            + "' key service: "
            + e.getMessage(),
        e);
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create the master key of the 'local' provider: a new keyset at keys.keysetFile,"
            + " readable by its owner only.",
        "Run once per deployment; an existing keyset is never replaced. Back it up: without it"
            + " the files cannot be decrypted."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws ConfigException {
      GatewaySettings settings = options.settings();
      if (!(settings.keyProvider() instanceof KeyProvider.Local local)) {
        throw new CommandFailure(
            Main.USAGE,
            "keys init creates the keyset of the 'local' provider, but keys.provider is '"
                + settings.keyProvider().name()
                + "': its master key lives in that service; create it there (see the README's"
                + " Key services section), then run 'dropzone keys check'");
      }
      Path file = local.keysetFile().toAbsolutePath();
      if (Files.exists(file)) {
        throw new CommandFailure(
            Main.USAGE,
            "keys.keysetFile: "
                + file
                + " already exists; a master key is never replaced (the files wrapped with it"
                + " would become unreadable). 'dropzone keys check' tests it");
      }
      try {
        LocalKeyService created = LocalKeyService.create(file);
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "Created the master key "
                + created.masterKeyId()
                + " in "
                + file
                + " (readable by its owner only). Back it up: without it the files cannot be"
                + " decrypted.");
        out.flush();
        return Main.OK;
      } catch (KeyServiceException e) {
        throw new CommandFailure(Main.FAILED, e.getMessage(), e);
      }
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Wrap and unwrap a random key with the configured provider; print latency.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
      GatewaySettings settings = options.settings();
      PrintWriter out = spec.commandLine().getOut();
      try (OpenKeyService keys = open(settings)) {
        KeyCheck.Result result = new KeyCheck(keys.service(), new ServiceCalls(CALL_TIMEOUT)).run();
        out.printf(
            "Key service OK: provider %s, key %s, wrap %d ms, unwrap %d ms%n",
            settings.keyProvider().name(),
            result.keyRef(),
            result.wrap().toMillis(),
            result.unwrap().toMillis());
        out.flush();
        return Main.OK;
      } catch (KeyServiceException e) {
        throw failed(settings, "check (" + e.failure() + ")", e);
      }
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Give users a new data key for new uploads; existing files keep their own key.",
        "Running gateways switch once their remembered key of the user expires (a few minutes)."
      })
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOptions options;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    static final class Who {
      @Option(names = "--user", paramLabel = "USER", description = "Rotate this user's key.")
      String user;

      @Option(names = "--all", description = "Rotate the key of every user that has one.")
      boolean all;
    }

    @Option(
        names = "--force",
        description =
            "Rotate --user even when no user source knows the name (PAM and LDAP users that never"
                + " logged in have neither a users-file entry nor a key record).")
    boolean force;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
      GatewaySettings settings = options.settings();
      PrintWriter out = spec.commandLine().getOut();
      try (KeyRunAudit audit =
              audit(
                  settings, "rotate", who.all ? Map.of("users", "all") : Map.of("user", who.user));
          OpenKeyService keys = open(settings);
          StoredKeys stored = StoredKeys.open(settings.s3())) {
        KeyRotation rotation =
            new KeyRotation(
                keys.service(),
                stored.records(),
                new ServiceCalls(CALL_TIMEOUT),
                Clock.systemUTC(),
                UserHomes.of(settings));
        if (!who.all && !force) {
          KnownUsers.require(who.user, settings, stored.records());
        }
        List<String> users = who.all ? stored.recordedUsers() : List.of(who.user);
        for (String user : users) {
          KeyRotation.Rotated rotated = rotation.rotate(user);
          out.println(
              "Rotated the key of "
                  + user
                  + " (now wrapped by "
                  + rotated.key().ref()
                  + " for key domain "
                  + rotated.domain()
                  + ", epoch "
                  + rotated.epoch()
                  + ")");
        }
        if (users.isEmpty()) {
          out.println("No user has a key yet: nothing to rotate.");
        }
        out.flush();
        audit.ended("ok", Map.of("rotated", users.size()));
        return Main.OK;
      } catch (KeyServiceException | IOException e) {
        throw failed(settings, "rotate", e);
      }
    }
  }

  @Command(
      name = "rewrap",
      mixinStandardHelpOptions = true,
      description = {
        "After a master key rotation, rewrap every key record's and every file's key under the"
            + " newest master key version.",
        "Metadata only (server-side copy), no data is re-encrypted. Safe to interrupt and re-run:"
            + " files already current are skipped."
      })
  static final class Rewrap implements Callable<Integer> {
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
        description = "Objects rewrapped at once.",
        defaultValue = "8")
    int parallel;

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
      PrintWriter out = spec.commandLine().getOut();
      ServiceCalls calls = new ServiceCalls(CALL_TIMEOUT);
      try (KeyRunAudit audit = audit(settings, "rewrap", Map.of("prefix", prefix));
          OpenKeyService keys = open(settings);
          StoredKeys stored = StoredKeys.open(settings.s3())) {
        String current = new KeyCheck(keys.service(), calls).run().keyRef();
        List<String> users = stored.recordedUsers();
        List<StoredObject> objects = stored.objects(prefix);
        out.println(
            "Rewrapping "
                + users.size()
                + " key record(s) and "
                + objects.size()
                + " object(s) to "
                + current);
        out.flush();
        ObjectRewrap rewrap = new ObjectRewrap(stored, keys.service(), calls, parallel);
        ObjectRun.Summary<Outcome> records;
        ObjectRun.Summary<Outcome> summary;
        try (ProgressBar bar = progressBar("rewrap", users.size() + objects.size())) {
          records = rewrap.runRecords(users, current, bar::step);
          summary = rewrap.run(objects, current, bar::step);
        }
        out.printf(
            "Key records: rewrapped %d, already current %d, failed %d%n",
            records.count(Outcome.REWRAPPED),
            records.count(Outcome.ALREADY_CURRENT),
            records.failures().size());
        out.printf(
            "Rewrapped %d, already current %d, not encrypted %d, failed %d%n",
            summary.count(Outcome.REWRAPPED),
            summary.count(Outcome.ALREADY_CURRENT),
            summary.count(Outcome.NOT_ENCRYPTED),
            summary.failures().size());
        List<String> failures = new ArrayList<>(records.failures());
        failures.addAll(summary.failures());
        if (!failures.isEmpty()) {
          PrintWriter err = spec.commandLine().getErr();
          err.println("Failures (run rewrap again once the cause is fixed):");
          failures.forEach(f -> err.println("  " + f));
          err.flush();
        } else if (records.count(Outcome.REWRAPPED) + summary.count(Outcome.REWRAPPED) > 0) {
          // A gateway's rename or time change that read an object's metadata before this run
          // rewrapped it can write the old key back: S3's ETag, which its copy is conditional on,
          // does not change with metadata. Only a later run that finds nothing proves none did.
          out.println(
              "Run keys rewrap again in a few minutes, and keep the old master key version until"
                  + " a run rewraps nothing: a rename or time change under way in a gateway"
                  + " during this run may have written an object's old key back.");
        } else {
          out.println("Every key record and object is on " + current + ".");
        }
        out.flush();
        audit.ended(
            failures.isEmpty() ? "ok" : "failed",
            Map.of(
                "records_rewrapped", records.count(Outcome.REWRAPPED),
                "records_current", records.count(Outcome.ALREADY_CURRENT),
                "rewrapped", summary.count(Outcome.REWRAPPED),
                "current", summary.count(Outcome.ALREADY_CURRENT),
                "not_encrypted", summary.count(Outcome.NOT_ENCRYPTED),
                "failed", failures.size()));
        return failures.isEmpty() ? Main.OK : Main.FAILED;
      } catch (KeyServiceException | StoreException e) {
        throw failed(settings, "rewrap", e);
      }
    }
  }

  /**
   * The audit lines of a key maintenance run, started; a run that ends without {@link
   * KeyRunAudit#ended} (a failure) is audited as failed when it closes.
   */
  static KeyRunAudit audit(GatewaySettings settings, String run, Map<String, String> arguments) {
    try {
      return KeyRunAudit.start(settings.audit(), run, arguments);
    } catch (IOException e) {
      throw new CommandFailure(
          Main.FAILED, e.getMessage() + " (audit.target); fix it or set audit.target to off", e);
    }
  }

  /** A progress bar of {@code total} items on stderr, so the summary on stdout stays clean. */
  static ProgressBar progressBar(String task, int total) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setUnit(" objects", 1)
        .showSpeed()
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
        .build();
  }
}
