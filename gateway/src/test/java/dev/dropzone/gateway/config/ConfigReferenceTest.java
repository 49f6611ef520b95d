package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's configuration reference stays complete and its example stays loadable. */
class ConfigReferenceTest {

  private static final Path README = Path.of("..", "README.md");

  @Test
  void everyKeyIsDocumentedWithItsEnvironmentVariableAndDefault() throws Exception {
    String readme = Files.readString(README);
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      Pattern row =
          Pattern.compile(
              "^\\| `"
                  + Pattern.quote(key.path())
                  + "` \\| `"
                  + Pattern.quote(key.env())
                  + "` \\| (.*?) \\|",
              Pattern.MULTILINE);
      Matcher m = row.matcher(readme);
      assertThat(m.find()).as("README table row for %s / %s", key.path(), key.env()).isTrue();
      if (key.defaultValue() != null && !key.defaultValue().isEmpty()) {
        assertThat(m.group(1))
            .as("default of %s", key.path())
            .isEqualTo("`" + key.defaultValue() + "`");
      }
    }
  }

  @Test
  void theExampleConfigFileLoads(@TempDir Path dir) throws Exception {
    String readme = Files.readString(README);
    Matcher m =
        Pattern.compile("Example `dropzone.yaml`.*?```yaml\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(m.find()).as("example dropzone.yaml in the README").isTrue();
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, m.group(1));

    DropzoneConfig config = new ConfigLoader().file(file).load();

    assertThat(config.s3().bucket()).isEqualTo("acme-dropzone");
    assertThat(config.ftp().tls().required()).isTrue();
  }
}
