package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GgmlTypeTest {
    @Test
    void idsAndLayoutsMatchGgml() {
        // values from ggml.h / ggml-common.h (block structs' sizeof)
        assertEquals(GgmlType.Q4_0, GgmlType.fromId(2));
        assertEquals(18, GgmlType.Q4_0.blockBytes());
        assertEquals(20, GgmlType.Q4_1.blockBytes());
        assertEquals(34, GgmlType.Q8_0.blockBytes());
        assertEquals(210, GgmlType.Q6_K.blockBytes());
        assertEquals(256, GgmlType.Q6_K.blockElems());
        assertEquals(144, GgmlType.Q4_K.blockBytes());
        assertEquals(30, GgmlType.BF16.id());
        for (GgmlType t : GgmlType.values()) assertEquals(t, GgmlType.fromId(t.id()));
    }

    @Test
    void rowBytesIsExactAndChecked() {
        assertEquals(576 / 32 * 34, GgmlType.Q8_0.rowBytes(576));
        assertEquals(4 * 64, GgmlType.F32.rowBytes(64));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_0.rowBytes(33));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.F32.rowBytes(-1));
        assertThrows(ArithmeticException.class, () -> GgmlType.F32.rowBytes(Long.MAX_VALUE / 2));
    }

    @Test
    void unknownIdsAreFormatErrors() {
        for (int id : new int[] {-1, 4, 5, 31, 32, 33, 36, 37, 38, 40, 1000}) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgmlType.fromId(id));
            assertTrue(e.getMessage().contains(Integer.toString(id)), e.getMessage());
        }
    }
}
