# cmake -DIN=FILE -DOUT=FILE -P write_sha256.cmake: writes FILE's SHA-256 (lowercase hex, one line) to OUT.
# The jar carries it beside the library, so that Java finds the extracted copy without hashing at start.
file(SHA256 "${IN}" hash)
file(WRITE "${OUT}" "${hash}\n")
