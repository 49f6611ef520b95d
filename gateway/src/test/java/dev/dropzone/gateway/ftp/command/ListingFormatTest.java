package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.VirtualPath;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ListingFormatTest {

  private static final Account ALICE =
      new Account("alice", "users/alice", EnumSet.allOf(Permission.class));

  @Test
  void listLinesHaveTheColumnsOfLsMinusL() throws Exception {
    Instant recent = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(3, ChronoUnit.DAYS);
    FileInfo file = new FileInfo(VirtualPath.of("/report 2026.pdf"), false, 1_048_576, recent);
    FileInfo dir =
        new FileInfo(VirtualPath.of("/old"), true, 0, Instant.parse("2019-03-07T10:15:00Z"));

    String month = ListingDates.LS_RECENT.format(recent);
    assertThat(ListingFormat.LIST.line(file, ALICE))
        .isEqualTo("-rw------- 1 alice    alice         1048576 " + month + " report 2026.pdf");
    assertThat(ListingFormat.LIST.line(dir, ALICE))
        .isEqualTo("drwx------ 1 alice    alice               0 Mar 07  2019 old");
  }

  @Test
  void longNamesAndHugeSizesWidenTheirColumnsInsteadOfBeingCut() throws Exception {
    Account longName = new Account("a-very-long-user", "users/x", EnumSet.allOf(Permission.class));
    FileInfo huge =
        new FileInfo(
            VirtualPath.of("/huge.bin"),
            false,
            5_497_558_138_880L,
            Instant.parse("2019-01-01T00:00:00Z"));
    assertThat(ListingFormat.LIST.line(huge, longName))
        .isEqualTo(
            "-rw------- 1 a-very-long-user a-very-long-user 5497558138880 Jan 01  2019 huge.bin");
  }

  @Test
  void mlsdFactsFollowRfc3659() throws Exception {
    FileInfo file =
        new FileInfo(VirtualPath.of("/a.txt"), false, 12, Instant.parse("2026-11-28T10:00:05Z"));
    assertThat(ListingFormat.MLSD.line(file, ALICE))
        .isEqualTo("type=file;size=12;modify=20261128100005;perm=rwadf; a.txt");
  }
}
