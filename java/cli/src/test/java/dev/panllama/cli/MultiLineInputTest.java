package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MultiLineInputTest {
    @Test
    void plainLinesAreMessages() {
        MultiLineInput m = new MultiLineInput();
        assertEquals("hello", m.accept("hello"));
        assertFalse(m.isOpen());
    }

    @Test
    void tripleQuotesSpanLines() {
        MultiLineInput m = new MultiLineInput();
        assertNull(m.accept("\"\"\""));
        assertTrue(m.isOpen());
        assertNull(m.accept("first line"));
        assertNull(m.accept(""));
        assertNull(m.accept("  indented"));
        assertEquals("first line\n\n  indented\nlast", m.accept("last\"\"\""));
        assertFalse(m.isOpen());
    }

    @Test
    void textOnTheOpeningLineAndOneLiners() {
        MultiLineInput m = new MultiLineInput();
        assertNull(m.accept("\"\"\"Dear model,"));
        assertEquals("Dear model,\nbye", m.accept("bye\"\"\""));
        assertEquals("quoted", m.accept("\"\"\"quoted\"\"\""));
        assertNull(m.accept("\"\"\"/help"));
        assertEquals("/help", m.accept("\"\"\"")); // a lone closing line ends it
        assertTrue(m.lastWasQuoted()); // so the slash is text, not a command
        assertEquals("x", m.accept("x"));
        assertFalse(m.lastWasQuoted());
    }

    @Test
    void resetDropsAnUnfinishedMessage() {
        MultiLineInput m = new MultiLineInput();
        m.accept("\"\"\"abc");
        m.reset();
        assertFalse(m.isOpen());
        assertEquals("next", m.accept("next"));
    }
}
