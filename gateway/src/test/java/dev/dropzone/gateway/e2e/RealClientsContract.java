package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What real clients do with a tree, run against each way the gateway is started (embedded mode on
 * its on-disk S3 server, {@code serve} on an S3 server that lists markers as AWS does): lftp,
 * rclone and wget mirror trees with empty directories, spaces and unicode in names up and back;
 * Python's ftplib reads MLSD facts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealClientsContract {

  private FtpUser user;
  protected Path work;

  /** Starts the gateway with a user whose files live in {@code work}; returns that user. */
  protected abstract FtpUser start(Path root, Path work) throws Exception;

  protected abstract void stop() throws Exception;

  @BeforeAll
  void startGateway(@TempDir Path root) throws Exception {
    ClientProcess.requireInstalled("curl", "lftp", "python3", "rclone", "wget", "diff");
    work = Files.createDirectories(root.resolve("work"));
    user = start(root, work);
  }

  @AfterAll
  void stopGateway() throws Exception {
    stop();
  }

  @Test
  void lftpMirrorsATreeUpAndBackAndRemovesIt() throws Exception {
    Path local = tree("lftp-tree");

    user.lftp("mkdir /mirrored; mirror -R " + local + " /mirrored").assertOk("mirror -R");
    Path back = work.resolve("lftp-back");
    user.lftp("mirror /mirrored " + back).assertOk("mirror back");

    assertSameTree(local, back);
    user.lftp("rm -r /mirrored").assertOk("rm -r");
    assertThat(user.lftp("cls -1 /").assertOk("cls").output()).doesNotContain("mirrored");
  }

  @Test
  void rcloneSyncsChecksAtDefaultConcurrencyAndPurges() throws Exception {
    Path local = tree("rclone-tree");
    Path many = Files.createDirectories(local.resolve("many"));
    for (int i = 0; i < 24; i++) {
      write(many.resolve("small " + i + ".bin"), 100 + i);
    }

    user.rclone("sync", "--create-empty-src-dirs", local.toString(), "dz:synced")
        .assertOk("rclone sync");
    ClientProcess.Result check =
        user.rclone("check", "--download", local.toString(), "dz:synced")
            .assertOk("rclone check --download");
    assertThat(check.output()).doesNotContain("ERROR").contains("0 differences found");
    Path back = work.resolve("rclone-back");
    user.rclone("copy", "--create-empty-src-dirs", "dz:synced", back.toString())
        .assertOk("rclone copy back");
    assertSameTree(local, back);

    user.rclone("purge", "dz:synced").assertOk("rclone purge");
    assertThat(user.rclone("lsf", "dz:").assertOk("rclone lsf").output()).doesNotContain("synced");
  }

  @Test
  void wgetFetchesATreeWithAnEmptyDirectory() throws Exception {
    Path local = tree("wget-tree");
    user.lftp("mkdir /fetched; mirror -R " + local + " /fetched").assertOk("mirror -R");

    Path back = Files.createDirectories(work.resolve("wget-back"));
    user.wget(
            "/fetched/",
            "--recursive",
            "--no-host-directories",
            "--cut-dirs=1",
            "-P",
            back.toString())
        .assertOk("wget -r");
    // wget keeps each directory's listing as a .listing file unless told otherwise.
    try (var listings = Files.walk(back)) {
      for (Path listing : listings.filter(p -> p.endsWith(".listing")).toList()) {
        Files.delete(listing);
      }
    }

    assertSameTree(local, back);
  }

  @Test
  void anEmptyDirectoryListsWithEveryCommand() throws Exception {
    user.lftp("mkdir /empty-listing").assertOk("mkdir");

    assertThat(user.curl(user.url("/empty-listing/")).assertOk("curl LIST").output()).isEmpty();
    assertThat(user.lftp("set ftp:use-mlsd true; cls /empty-listing").assertOk("MLSD").output())
        .isEmpty();
    assertThat(user.lftp("set ftp:use-mlsd false; cls /empty-listing").assertOk("LIST").output())
        .isEmpty();
    assertThat(user.lftp("nlist /empty-listing").assertOk("NLST").output()).isEmpty();
  }

  @Test
  void aMovedDirectoryLeavesNoGhostAndComesApartOneStepAtATime() throws Exception {
    user.lftp(
            "mkdir -p /moving/sub/empty; put "
                + write(work.resolve("f.bin"), 10)
                + " -o /moving/sub/f.bin")
        .assertOk("make the tree");

    user.lftp("mv /moving /moved").assertOk("rename the directory");

    String top = user.lftp("cls -1 /").assertOk("cls /").output();
    assertThat(top).contains("moved/").doesNotContain("moving");
    user.lftp(
            "rmdir /moved/sub/empty; rm /moved/sub/f.bin; rmdir /moved/sub; cls -1 /moved;"
                + " rmdir /moved")
        .assertOk("take it apart");
    assertThat(user.lftp("cls -1 /").assertOk("cls /").output()).doesNotContain("moved");
  }

  @Test
  void ftplibMlsdGivesTypeSizeAndTimesOfFilesAndDirectories() throws Exception {
    String script =
        String.join(
            "\n",
            "import datetime, io",
            "def age(facts):",
            "    modified = datetime.datetime.strptime(facts['modify'][:14], '%Y%m%d%H%M%S')",
            "    return abs(datetime.datetime.utcnow() - modified).total_seconds()",
            "ftp.mkd('/dated')",
            "ftp.mkd('/dated/empty')",
            "ftp.mkd('/dated/full')",
            "ftp.storbinary('STOR /dated/full/a file.txt', io.BytesIO(b'x' * 1234))",
            "entries = dict(ftp.mlsd('/dated'))",
            "assert entries['empty']['type'] == 'dir', entries",
            "assert entries['full']['type'] == 'dir', entries",
            "assert age(entries['empty']) < 3600, entries",
            "assert age(entries['full']) < 3600, entries",
            "files = dict(ftp.mlsd('/dated/full'))",
            "facts = files['a file.txt']",
            "assert facts['type'] == 'file' and facts['size'] == '1234', facts",
            "assert age(facts) < 3600, facts",
            "assert list(ftp.mlsd('/dated/empty')) == []",
            "ftp.delete('/dated/full/a file.txt')",
            "ftp.rmd('/dated/full')",
            "ftp.rmd('/dated/empty')",
            "ftp.rmd('/dated')",
            "print('ok')");

    assertThat(user.python(script).assertOk("ftplib").output()).isEqualTo("ok\n");
  }

  /**
   * A local tree with what trips clients up: an empty directory at the top and one nested deeper,
   * spaces and non-ASCII names, a file big enough for several data packets.
   */
  protected Path tree(String name) throws IOException {
    Path root = work.resolve(name);
    Files.createDirectories(root.resolve("empty"));
    Files.createDirectories(root.resolve("with space/deeper/deepest"));
    Files.createDirectories(root.resolve("ünïcødé/日本"));
    write(root.resolve("top.bin"), 3000);
    write(root.resolve("with space/a file.bin"), 70_000);
    write(root.resolve("ünïcødé/日本/ファイル.txt"), 12);
    return root;
  }

  private static Path write(Path file, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(file, bytes);
  }

  /** {@code diff -r}: the same directories (empty ones too), file names and contents. */
  protected void assertSameTree(Path expected, Path actual) throws Exception {
    ClientProcess.Result diff =
        ClientProcess.run(work, "diff", "-r", expected.toString(), actual.toString());
    assertThat(diff.exitCode()).as("diff -r %s %s:%n%s", expected, actual, diff.output()).isZero();
  }
}
