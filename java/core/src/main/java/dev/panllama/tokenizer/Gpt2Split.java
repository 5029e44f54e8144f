package dev.panllama.tokenizer;

import static dev.panllama.tokenizer.CodepointFlags.LETTER;
import static dev.panllama.tokenizer.CodepointFlags.NUMBER;
import static dev.panllama.tokenizer.CodepointFlags.WHITESPACE;

/**
 * GPT-2's pre-tokenizer, hand-written the way llama.cpp runs it instead of its regex:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
 */
record Gpt2Split() implements SplitRule {

    @Override
    public void split(SplitText t, IntList chunks, IntList out) {
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int from = start, to = start + chunks.get(c);
            start = to;
            int prevEnd = from;
            int pos = from;
            while (pos < to) {
                int cp = t.cps[pos];
                int flags = CodepointFlags.of(cp);

                if (cp == '\'' && pos + 1 < to) { // 's 't 'm 'd 're 've 'll
                    int next = t.cps[pos + 1];
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos += 2;
                        prevEnd = emit(out, prevEnd, pos);
                        continue;
                    }
                    if (pos + 2 < to) {
                        int next2 = t.cps[pos + 2];
                        if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                            pos += 3;
                            prevEnd = emit(out, prevEnd, pos);
                            continue;
                        }
                    }
                }

                int flags2 = cp == ' ' ? t.flagsAt(pos + 1, from, to) : flags;
                if ((flags2 & LETTER) != 0) { // ' ?\p{L}+'
                    if (cp == ' ') pos++;
                    while ((flags2 & LETTER) != 0) flags2 = t.flagsAt(++pos, from, to);
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if ((flags2 & NUMBER) != 0) { // ' ?\p{N}+'
                    if (cp == ' ') pos++;
                    while ((flags2 & NUMBER) != 0) flags2 = t.flagsAt(++pos, from, to);
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (isOther(flags2)) { // ' ?[^\s\p{L}\p{N}]+'
                    if (cp == ' ') pos++;
                    while (isOther(flags2)) flags2 = t.flagsAt(++pos, from, to);
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }

                int spaces = 0;
                while ((t.flagsAt(pos + spaces, from, to) & WHITESPACE) != 0) spaces++;
                if (spaces > 1 && pos + spaces < to) { // '\s+(?!\S)': leave the last space to the next word
                    pos += spaces - 1;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (spaces > 0) { // '\s+'
                    pos += spaces;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                prevEnd = emit(out, prevEnd, ++pos);
            }
        }
    }

    /** Inside the chunk and not whitespace, letter or number. */
    static boolean isOther(int flags) {
        return flags != 0 && (flags & (WHITESPACE | LETTER | NUMBER)) == 0;
    }

    /** Appends the piece ending at {@code end}; returns the new piece start. */
    static int emit(IntList out, int prevEnd, int end) {
        if (end > prevEnd) out.add(end - prevEnd);
        return end;
    }
}
