package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The byte walk agrees with the JDK's strict UTF-8 decoder, plus the two rules of JSON on the wire (no BOM, no NUL). */
class Utf8JsonTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "ascii, 7b226d6f64656c223a2278227d, true",
            "two-byte e-acute, 22c3a922, true",
            "three-byte euro, 22e282ac22, true",
            "four-byte emoji, 22f09f988022, true",
            "last code point U+10FFFF, f48fbfbf, true",
            "overlong slash, c0af, false",
            "overlong three-byte, e080af, false",
            "overlong four-byte, f08fbfbf, false",
            "surrogate D800, eda080, false",
            "past U+10FFFF, f4908080, false",
            "lone continuation, 2280, false",
            "truncated at the end, 22e282, false",
            "F5 lead, f5808080, false",
            "NUL inside ASCII, 7b00227d, false",
            "NUL in a full word, 4142434445464700, false",
            "UTF-8 BOM, efbbbf7b7d, false",
            "UTF-16LE without BOM, 7b0022006d00, false",
    })
    void decidesLikeTheRfc(String what, String hex, boolean plain) {
        assertThat(Utf8Json.isPlainUtf8(HexFormat.of().parseHex(hex))).isEqualTo(plain);
    }

    /** Long ASCII runs are checked a block of words at a time: one bad byte is found at any position in them. */
    @Test
    void aNulOrALoneHighByteAnywhereInALongAsciiRunIsFound() {
        for (int at = 0; at < 100; at++) {
            byte[] text = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
            assertThat(Utf8Json.isPlainUtf8(text)).isTrue();
            text[at] = 0;
            assertThat(Utf8Json.isPlainUtf8(text)).as("NUL at %d", at).isFalse();
            text[at] = (byte) 0x80;
            assertThat(Utf8Json.isPlainUtf8(text)).as("0x80 at %d", at).isFalse();
            text[at] = (byte) 0x7F;
            assertThat(Utf8Json.isPlainUtf8(text)).as("DEL at %d", at).isTrue();
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomMixturesOfValidAndBrokenText() {
        var random = new Random(20261202L);
        String[] pieces = {"a", "{\"model\":\"x\"}", "é", "€", "😀", "\u07ff", "\uffff", "\ud7ff"};
        for (int round = 0; round < 20_000; round++) {
            var text = new StringBuilder();
            int parts = random.nextInt(40);
            for (int p = 0; p < parts; p++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextBoolean()) {
                // Break it somewhere: any byte, at any position, including the middle of a sequence or a word.
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            assertThat(Utf8Json.isPlainUtf8(bytes)).as(HexFormat.of().formatHex(bytes)).isEqualTo(jdkSays(bytes));
        }
    }

    private static boolean jdkSays(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            return false;
        }
        if (bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE
                || (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF)) {
            return false;
        }
        try {
            String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return decoded.indexOf('\0') < 0;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
