# Turns a text file into a C++ source that defines `const char* const SYMBOL` in NAMESPACE.
# Usage: cmake -DINPUT=... -DOUTPUT=... -DNAMESPACE=... -DSYMBOL=... -P embed-text.cmake
include(${CMAKE_CURRENT_LIST_DIR}/raw-string.cmake)
file(READ ${INPUT} content)
fabricscope_raw_string("${content}" body)
fabricscope_write_if_changed(${OUTPUT}
    "// Generated from ${INPUT}; do not edit.\nnamespace ${NAMESPACE}\n{\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} =\n${body};\n} // namespace ${NAMESPACE}\n")
