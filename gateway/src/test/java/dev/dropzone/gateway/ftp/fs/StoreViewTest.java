package dev.dropzone.gateway.ftp.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import java.io.IOException;
import java.util.EnumSet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MINA's file view is what MINA's own commands would use; every command that touches files is
 * Dropzone's, so asked directly, the view refuses everything, even for a user who may do anything
 * and a file that exists.
 */
class StoreViewTest {

  private static S3ProxyFixture s3;
  private static EncryptedStore store;
  private static StoreView view;

  @BeforeAll
  static void storeAFile() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    store = EncryptedStore.open(s3.bucket("dropzone", "dz"));
    Account alice = new Account("alice", "users/alice", EnumSet.allOf(Permission.class));
    view = new StoreView(alice, store.tree("alice", alice.home(), new TestKeys()));
    view.tree().mkdir(VirtualPath.of("docs"));
    try (Upload upload = view.tree().openWrite(VirtualPath.of("docs/report.pdf"), 0)) {
      upload.stream().write(new byte[] {1, 2, 3});
      upload.commit();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    s3.close();
  }

  @Test
  void filesCannotBeLookedUp() {
    assertThatThrownBy(() -> view.getFile("docs/report.pdf")).isInstanceOf(FtpException.class);
    assertThatThrownBy(() -> view.getFile("/")).isInstanceOf(FtpException.class);
  }

  @Test
  void theWorkingDirectoryCannotBeChangedThroughIt() {
    assertThat(view.changeWorkingDirectory("docs")).isFalse();
    assertThat(view.changeWorkingDirectory("..")).isFalse();
    assertThat(view.getWorkingDirectory().getAbsolutePath()).isEqualTo("/");
  }

  @Test
  void theFilesItHandsOutKnowNothingAndDoNothing() throws Exception {
    for (FtpFile file :
        new FtpFile[] {
          view.getHomeDirectory(),
          view.getWorkingDirectory(),
          view.file(VirtualPath.of("docs/report.pdf"))
        }) {
      assertThat(file.doesExist()).isFalse();
      assertThat(file.isFile()).isFalse();
      assertThat(file.isDirectory()).isFalse();
      assertThat(file.isReadable()).isFalse();
      assertThat(file.isWritable()).isFalse();
      assertThat(file.isRemovable()).isFalse();
      assertThat(file.getSize()).isZero();
      assertThat(file.getLastModified()).isZero();
      assertThat(file.listFiles()).isNull();
      assertThat(file.mkdir()).isFalse();
      assertThat(file.delete()).isFalse();
      assertThat(file.move(view.file(VirtualPath.of("moved.pdf")))).isFalse();
      assertThat(file.setLastModified(0)).isFalse();
      assertThatThrownBy(() -> file.createInputStream(0)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> file.createOutputStream(0)).isInstanceOf(IOException.class);
    }
    // Nothing above changed the store.
    assertThat(view.stat(VirtualPath.of("docs/report.pdf")).size()).isEqualTo(3);
  }
}
