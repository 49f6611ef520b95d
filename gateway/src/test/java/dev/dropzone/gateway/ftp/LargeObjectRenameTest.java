package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.tree.ObjectCopier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Random;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A rename or move of an object above the multipart-copy threshold (UploadPartCopy, the path a 6
 * GiB-class object takes on AWS) through the real FTP server keeps it one readable v2 object with a
 * tag for its new path. The thresholds are lowered with {@code s3.copy.*} so 12 MiB takes that
 * path.
 */
class LargeObjectRenameTest {

  private static final long MULTIPART_ABOVE = 6 << 20;
  private static final long COPY_PART = 5 << 20;

  private GatewayUnderTest gw;
  private FTPClient alice;
  private final Logger copierLog = (Logger) LoggerFactory.getLogger(ObjectCopier.class);
  private Level copierLevel;
  private final ListAppender<ILoggingEvent> copies = new ListAppender<>();

  @BeforeEach
  void start() throws Exception {
    gw = GatewayUnderTest.startWithStore(s -> s.withCopyLimits(MULTIPART_ABOVE, COPY_PART));
    alice = gw.login("alice");
    copierLevel = copierLog.getLevel();
    copierLog.setLevel(Level.DEBUG);
    copies.start();
    copierLog.addAppender(copies);
  }

  @AfterEach
  void stop() throws Exception {
    copierLog.detachAppender(copies);
    copierLog.setLevel(copierLevel);
    alice.disconnect();
    gw.close();
  }

  /** How many copies so far went through UploadPartCopy in parts of {@code COPY_PART} bytes. */
  private long partCopies() {
    return copies.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(" in parts of " + COPY_PART + " bytes"))
        .count();
  }

  @Test
  void aLargeFileMovedAndItsDirectoryRenamedStaysOneReadableReTaggedObject() throws Exception {
    byte[] data = new byte[12 * (1 << 20) + 777];
    new Random(11).nextBytes(data);
    assertThat(alice.storeFile("big.bin", new ByteArrayInputStream(data)))
        .as(alice.getReplyString())
        .isTrue();
    Map<String, String> before = metadata("big.bin");
    assertThat(alice.makeDirectory("archive")).as(alice.getReplyString()).isTrue();

    assertThat(alice.rename("big.bin", "archive/big-2026.bin")).as(alice.getReplyString()).isTrue();

    assertThat(partCopies()).as("a copy above s3.copy.multipartAbove goes in parts").isEqualTo(1);

    Map<String, String> moved = metadata("archive/big-2026.bin");
    assertThat(moved.get(ObjectFormat.META_FORMAT)).isEqualTo(ObjectFormat.VERSION_2);
    assertThat(moved.get(ObjectFormat.META_TAG))
        .isNotNull()
        .isNotEqualTo(before.get(ObjectFormat.META_TAG));
    assertThat(moved.get(ObjectFormat.META_KEY)).isEqualTo(before.get(ObjectFormat.META_KEY));
    assertThat(gw.objectKeys())
        .contains(GatewayUnderTest.key("alice", "archive/big-2026.bin"))
        .doesNotContain(GatewayUnderTest.key("alice", "big.bin"));
    assertThat(download("archive/big-2026.bin")).isEqualTo(data);

    assertThat(alice.rename("archive", "kept")).as(alice.getReplyString()).isTrue();

    assertThat(partCopies()).isEqualTo(2);

    Map<String, String> renamed = metadata("kept/big-2026.bin");
    assertThat(renamed.get(ObjectFormat.META_FORMAT)).isEqualTo(ObjectFormat.VERSION_2);
    assertThat(renamed.get(ObjectFormat.META_TAG))
        .isNotNull()
        .isNotEqualTo(moved.get(ObjectFormat.META_TAG));
    assertThat(gw.objectKeys())
        .filteredOn(k -> k.endsWith("big-2026.bin"))
        .containsExactly(GatewayUnderTest.key("alice", "kept/big-2026.bin"));
    assertThat(download("kept/big-2026.bin")).isEqualTo(data);
    assertThat(gw.pendingUploads()).isEmpty();
  }

  private Map<String, String> metadata(String path) {
    return gw.rawClient()
        .headObject(b -> b.bucket(GatewayUnderTest.BUCKET).key(GatewayUnderTest.key("alice", path)))
        .metadata();
  }

  private byte[] download(String path) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile(path, out)).as(alice.getReplyString()).isTrue();
    return out.toByteArray();
  }
}
