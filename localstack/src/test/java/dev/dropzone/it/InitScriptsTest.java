package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The init scripts compose mounts are at least well-formed and executable here; LocalStack runs the
 * ready.d one for real in {@link LocalStackContractTest}.
 */
class InitScriptsTest {

  @ParameterizedTest
  @CsvSource({
    "bash, localstack/init/ready.d/10-dropzone.sh",
    "sh, localstack/init/vault/transit.sh",
    "sh, localstack/compose/users-init.sh"
  })
  void scriptParsesAndIsExecutable(String shell, String script) throws Exception {
    var path = RepositoryFiles.resolve(script);

    CommandRun run = CommandRun.of(RepositoryFiles.root(), Map.of(), List.of(shell, "-n", script));

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.isExecutable(path)).as(script + " is executable").isTrue();
    assertThat(Files.readAllLines(path).get(0)).startsWith("#!/");
  }
}
