package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.embedded.EmbeddedStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories through real clients against embedded mode, whose S3 server keeps directory markers
 * as real directories on disk: empty directories list, mirror up and back, move and come apart one
 * step at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedDirectoriesTest {

  private static final String PASSWORD = "alice-directories-password";

  private EmbeddedStack stack;
  private FtpUser alice;
  private Path work;

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    ClientProcess.requireInstalled("curl", "lftp", "python3");
    work = Files.createDirectories(root.resolve("alice"));
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                root.resolve("data"),
                "127.0.0.1",
                0,
                "0",
                -1,
                0,
                Map.of("alice", PASSWORD.toCharArray())));
    alice = new FtpUser("alice", PASSWORD, stack.ftpPort(), work);
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void lftpMirrorsATreeWithEmptyDirectoriesUpAndBackAndRemovesIt() throws Exception {
    Path local = work.resolve("tree");
    Files.createDirectories(local.resolve("empty"));
    Files.createDirectories(local.resolve("with space/deeper/deepest"));
    Files.createDirectories(local.resolve("ünïcødé/日本"));
    write(local.resolve("top.bin"), 3000);
    write(local.resolve("with space/a file.bin"), 70_000);
    write(local.resolve("ünïcødé/日本/ファイル.txt"), 12);

    alice.lftp("mkdir /mirrored; mirror -R " + local + " /mirrored").assertOk("mirror -R");
    Path back = work.resolve("back");
    alice.lftp("mirror /mirrored " + back).assertOk("mirror back");

    assertThat(snapshot(back)).isEqualTo(snapshot(local));

    alice.lftp("rm -r /mirrored").assertOk("rm -r");
    assertThat(alice.lftp("cls -1 /").assertOk("cls").output()).doesNotContain("mirrored");
  }

  @Test
  void anEmptyDirectoryListsWithEveryCommand() throws Exception {
    alice.lftp("mkdir /empty-listing").assertOk("mkdir");

    assertThat(alice.curl(alice.url("/empty-listing/")).assertOk("curl LIST").output()).isEmpty();
    assertThat(alice.lftp("set ftp:use-mlsd true; cls /empty-listing").assertOk("MLSD").output())
        .isEmpty();
    assertThat(alice.lftp("set ftp:use-mlsd false; cls /empty-listing").assertOk("LIST").output())
        .isEmpty();
    assertThat(alice.lftp("nlist /empty-listing").assertOk("NLST").output()).isEmpty();
  }

  @Test
  void aMovedDirectoryLeavesNoGhostAndComesApartOneStepAtATime() throws Exception {
    alice
        .lftp(
            "mkdir -p /moving/sub/empty; put "
                + write(work.resolve("f.bin"), 10)
                + " -o /moving/sub/f.bin")
        .assertOk("make the tree");

    alice.lftp("mv /moving /moved").assertOk("rename the directory");

    String top = alice.lftp("cls -1 /").assertOk("cls /").output();
    assertThat(top).contains("moved/").doesNotContain("moving");
    alice
        .lftp(
            "rmdir /moved/sub/empty; rm /moved/sub/f.bin; rmdir /moved/sub; cls -1 /moved;"
                + " rmdir /moved")
        .assertOk("take it apart");
    assertThat(alice.lftp("cls -1 /").assertOk("cls /").output()).doesNotContain("moved");
  }

  @Test
  void pythonMlsdDatesDirectoriesAndListsEmptyOnes() throws Exception {
    String script =
        String.join(
            "\n",
            "import ftplib, sys, datetime",
            "f = ftplib.FTP()",
            "f.connect('127.0.0.1', " + stack.ftpPort() + ")",
            "f.login('alice', '" + PASSWORD + "')",
            "f.mkd('/dated')",
            "f.mkd('/dated/empty')",
            "entries = dict(f.mlsd('/dated'))",
            "facts = entries['empty']",
            "assert facts['type'] == 'dir', facts",
            "year = int(facts['modify'][:4])",
            "assert year >= datetime.datetime.utcnow().year - 1, facts",
            "assert list(f.mlsd('/dated/empty')) == []",
            "f.rmd('/dated/empty')",
            "f.rmd('/dated')",
            "f.quit()",
            "print('ok')");
    Path file = work.resolve("mlsd.py");
    Files.writeString(file, script);

    assertThat(ClientProcess.run(work, "python3", file.toString()).assertOk("ftplib").output())
        .isEqualTo("ok\n");
  }

  private static Path write(Path file, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(file, bytes);
  }

  /** Every path below {@code root} with a file's size and hash, or "dir". */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        String name = root.relativize(path).toString();
        if (Files.isDirectory(path)) {
          out.put(name, "dir");
        } else {
          out.put(
              name, Files.size(path) + ":" + java.util.Arrays.hashCode(Files.readAllBytes(path)));
        }
      }
    }
    return out;
  }
}
