package dev.panllama.tokenizer;

/**
 * GPT-2's reversible byte-to-unicode mapping: printable Latin-1 bytes stand for themselves, the
 * other 68 bytes are shifted to U+0100 and up, so any byte string becomes printable text.
 */
final class ByteLevel {
    private static final int[] BYTE_TO_CP = new int[256];
    private static final int[] CP_TO_BYTE = new int[324];

    static {
        java.util.Arrays.fill(CP_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int cp = printable ? b : 256 + shifted++;
            BYTE_TO_CP[b] = cp;
            CP_TO_BYTE[cp] = b;
        }
    }

    private ByteLevel() {}

    /** The code point that stands for a byte. */
    static int encode(int b) {
        return BYTE_TO_CP[b & 0xFF];
    }

    /** The byte a code point stands for, or -1 if it stands for none. */
    static int decode(int cp) {
        return cp >= 0 && cp < CP_TO_BYTE.length ? CP_TO_BYTE[cp] : -1;
    }

    /**
     * A token's GPT-2 characters back to the bytes they stand for. A character that stands for no
     * byte is written as {@code [UNK_BYTE_0x..<token>]}, as llama.cpp does, so it stays visible.
     */
    static byte[] decodeToken(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            int b = decode(cp);
            if (b >= 0) {
                out.write(b);
                return;
            }
            StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
            for (byte x : Character.toString(cp).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                sb.append(String.format("%02x", x & 0xFF));
            }
            out.writeBytes(sb.append(text).append(']').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        return out.toByteArray();
    }
}
