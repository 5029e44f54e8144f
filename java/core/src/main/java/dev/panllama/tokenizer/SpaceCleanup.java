package dev.panllama.tokenizer;

/**
 * llama.cpp's detokenizer clean-up ("clean_up_tokenization_spaces"), three passes over the bytes:
 * drop the space before {@code ? ! . ,}; turn {@code " ' "} into {@code "'"}; drop the space before
 * {@code 's 'm 're 've}. Done in place on the array, as llama.cpp does; returns the new length.
 */
final class SpaceCleanup {
    private SpaceCleanup() {}

    static int apply(byte[] t, int n) {
        int total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            t[total++] = x;
        }
        int n2 = total;
        total = n2 > 0 ? 1 : 0;
        for (int i = 1; i < n2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < n2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0; // the space after is dropped too
            }
            t[total++] = x;
        }
        int n3 = total;
        total = n3 > 0 ? 1 : 0;
        for (int i = 1; i < n3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < n3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < n3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' || x1 == 'v') && x2 == 'e') total--;
                }
            }
            t[total++] = x;
        }
        return total;
    }
}
