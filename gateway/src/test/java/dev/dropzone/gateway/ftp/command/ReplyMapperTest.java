package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReplyMapperTest {

  @Test
  void repliesTellTheUserWhatHappened() throws Exception {
    assertThat(line(new StoreException(Reason.NOT_FOUND, "No such file"), Phase.COMMAND))
        .isEqualTo("550 No such file");
    StoreException nul = null;
    try {
      VirtualPath.of("a\0b");
    } catch (StoreException e) {
      nul = e;
    }
    assertThat(line(nul, Phase.COMMAND)).isEqualTo("553 Invalid file name: contains NUL");
    assertThat(line(new StoreException(Reason.KEY_SERVICE_UNAVAILABLE, "timeout"), Phase.TRANSFER))
        .isEqualTo("451 Key service unavailable, try again later");
    assertThat(line(new StoreException(Reason.INTEGRITY, "Tag mismatch"), Phase.TRANSFER))
        .isEqualTo("426 Transfer aborted: integrity check failed");
    assertThat(line(new StoreException(Reason.INTEGRITY, "not a Dropzone object"), Phase.COMMAND))
        .isEqualTo("550 Integrity check failed: not a Dropzone object");
    assertThat(line(new StoreException(Reason.OUT_OF_RANGE, "offset beyond end"), Phase.COMMAND))
        .startsWith("554 ");
    StoreException replaced =
        new StoreException(Reason.CHANGED, "Could not read /a: the file was replaced meanwhile");
    assertThat(line(replaced, Phase.COMMAND))
        .isEqualTo("450 Could not read /a: the file was replaced meanwhile");
    assertThat(line(replaced, Phase.TRANSFER))
        .isEqualTo("426 Transfer aborted: the file was replaced while it was sent; try again");
    // A WARN with advice: a server that fails every If-Match looks just like this.
    assertThat(ReplyMapper.map(replaced, Phase.COMMAND).serverSide()).isTrue();
    assertThat(ReplyMapper.map(replaced, Phase.COMMAND).advice()).contains("If-Match");
    assertThat(line(new StoreException(Reason.QUOTA, "quota exceeded"), Phase.TRANSFER))
        .startsWith("552 ");
  }

  @ParameterizedTest
  @EnumSource(Reason.class)
  void everyReasonBecomesAFailureReplyOnOneLine(Reason reason) {
    for (Phase phase : Phase.values()) {
      var mapped = ReplyMapper.map(new StoreException(reason, "line one\r\nline two"), phase);
      assertThat(mapped.reply().getCode()).isBetween(400, 599);
      assertThat(mapped.reply().toString()).hasLineCount(1);
      assertThat(mapped.advice()).isNotBlank();
    }
  }

  @Test
  void aStorageRefusalIsTheServersProblemAndItsMessageStaysInTheLog() {
    StoreException refused =
        new StoreException(
            Reason.STORAGE_DENIED,
            "Storage refused to read dz/users/alice/a.txt (HTTP 403 AccessDenied): check the"
                + " gateway's IAM policy");
    for (Phase phase : Phase.values()) {
      var mapped = ReplyMapper.map(refused, phase);
      assertThat(mapped.reply().toString().strip())
          .isEqualTo("451 Storage refused the server's request, try again later");
      assertThat(mapped.serverSide()).isTrue();
    }
  }

  @Test
  void messagesThatReachTheClientGoThroughItsRedaction() {
    UnaryOperator<String> forClient = text -> text.replace("dz/users/alice/", "/");
    StoreException aborted =
        new StoreException(Reason.ABORTED, "Upload of dz/users/alice/in/a.bin was aborted");
    StoreException damaged =
        new StoreException(Reason.INTEGRITY, "dz/users/alice/in/a.bin ended after 10 bytes");

    assertThat(ReplyMapper.map(aborted, Phase.TRANSFER, forClient).reply().toString().strip())
        .isEqualTo("426 Transfer aborted: Upload of /in/a.bin was aborted");
    assertThat(ReplyMapper.map(damaged, Phase.COMMAND, forClient).reply().toString().strip())
        .isEqualTo("550 Integrity check failed: /in/a.bin ended after 10 bytes");
  }

  private static String line(StoreException e, Phase phase) {
    return ReplyMapper.map(e, phase).reply().toString().strip();
  }
}
