package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import org.junit.jupiter.api.Test;

/**
 * Argon2id hashes are read and computed with Bouncy Castle now; every hash password4j wrote into a
 * users file (Dropzone's own before, other tools' imported) must still verify, and what Dropzone
 * writes must verify with password4j.
 */
class Argon2idHashTest {

  @Test
  void hashesPassword4jWroteVerify() {
    for (Argon2Function function :
        new Argon2Function[] {
          Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID),
          Argon2Function.getInstance(8 * 1024, 1, 2, 32, Argon2.ID),
          Argon2Function.getInstance(8 * 1024, 3, 4, 64, Argon2.ID)
        }) {
      String hash = Password.hash("correct horse").addRandomSalt(16).with(function).getResult();
      assertThat(PasswordHashes.matches("correct horse".toCharArray(), hash)).as(hash).isTrue();
      assertThat(PasswordHashes.matches("correct horsf".toCharArray(), hash)).as(hash).isFalse();
    }
  }

  @Test
  void hashesDropzoneWritesVerifyWithPassword4jAndKeepTheBaselineParameters() {
    String hash = PasswordHashes.hash("pässwörd ☃".toCharArray());
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(Argon2Function.getInstanceFromHash(hash).check("pässwörd ☃", hash)).isTrue();
    assertThat(PasswordHashes.matches("pässwörd ☃".toCharArray(), hash)).isTrue();
    assertThat(PasswordHashes.hash("pässwörd ☃".toCharArray())).as("a new salt").isNotEqualTo(hash);
  }

  @Test
  void base64PaddingThatOtherToolsWriteIsAccepted() {
    String hash = PasswordHashes.hash("correct horse".toCharArray());
    String[] parts = hash.split("\\$");
    // 16-byte salt and 32-byte hash: 22 and 43 characters, padded to 24 and 44.
    String padded =
        String.join("$", parts[0], parts[1], parts[2], parts[3], parts[4] + "==", parts[5] + "=");
    assertThat(PasswordHashes.matches("correct horse".toCharArray(), padded)).isTrue();
    assertThat(PasswordHashes.refusal(padded)).isNull();
  }

  @Test
  void damagedHashesAreWrongPasswordsAndReadNothingExpensive() {
    for (String damaged :
        new String[] {
          "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA",
          "$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$m=99999999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$t=2,m=19456,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$m=19456,t=2,p=1$c2Fs!HNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$m=15,t=2,p=2$c2FsdHNhbHQ$aGFzaGhhc2g",
          "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2g"
        }) {
      assertThat(PasswordHashes.matches("x".toCharArray(), damaged)).as(damaged).isFalse();
      assertThat(PasswordHashes.tooCostly(damaged)).as(damaged).isNull();
      assertThat(PasswordHashes.refusal(damaged))
          .as(damaged)
          .startsWith("it cannot be read as an Argon2id hash");
      assertThatThrownBy(() -> Argon2idHash.parse(damaged))
          .as(damaged)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
