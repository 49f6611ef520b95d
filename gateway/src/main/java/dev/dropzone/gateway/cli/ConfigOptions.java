package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --config} and {@code --set}, for the commands that work on a configured deployment. */
final class ConfigOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = {"-c", "--config"},
      description = "YAML config file; relative paths in it are relative to its directory.",
      defaultValue = "dropzone.yaml")
  Path config;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description =
          "Override one config key, e.g. --set ftp.port=2121 (repeatable). Default: none.",
      showDefaultValue = Visibility.NEVER)
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The config file as an absolute path. */
  Path file() {
    return config.toAbsolutePath();
  }

  /** Defaults, then the file, then DROPZONE_* variables, then --set, as for serve. */
  GatewaySettings settings() throws ConfigException {
    return loader().settings(file().getParent());
  }

  /** Every configuration problem at once, with the settings as far as they could be made. */
  ConfigLoader.Checked checked() throws ConfigException {
    return loader().check(file().getParent());
  }

  private ConfigLoader loader() throws ConfigException {
    Main main = (Main) mixee.root().userObject();
    return new ConfigLoader()
        .file(file())
        .environment(main.environment())
        .overrides(overrides, "--set");
  }
}
