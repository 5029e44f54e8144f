package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {
    private final StopStrings stops = new StopStrings(List.of("</s>", "\n\n", "User:"));

    @Test
    void holdsTheLongestSuffixThatCouldStartAStopString() {
        assertEquals(0, stops.heldSuffix("hello"));
        assertEquals(1, stops.heldSuffix("hello\n"));
        assertEquals(2, stops.heldSuffix("hello</"));
        assertEquals(4, stops.heldSuffix("so User"));
        assertEquals(0, stops.heldSuffix("User: x"));
        assertEquals(0, stops.heldSuffix(""));
    }

    @Test
    void findsTheEarliestStopString() {
        String[] which = new String[1];
        assertEquals(-1, stops.find("nothing here", which));
        assertEquals(2, stops.find("ab\n\nUser:", which));
        assertEquals("\n\n", which[0]);
        assertEquals(0, stops.find("User:\n\n", which));
        assertEquals("User:", which[0]);
    }
}
