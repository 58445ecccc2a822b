# Embeds the reference designs: a table of {name (file stem), JSON text}, sorted by name.
# Usage: cmake -DOUTPUT=... "-DINPUTS=a.json|b.json" -P embed-designs.cmake
include(${CMAKE_CURRENT_LIST_DIR}/raw-string.cmake)
string(REPLACE "|" ";" INPUTS "${INPUTS}")
list(SORT INPUTS)
set(entries "")
set(count 0)
foreach(input IN LISTS INPUTS)
    get_filename_component(name ${input} NAME_WE)
    file(READ ${input} content)
    fabricscope_raw_string("${content}" body)
    string(APPEND entries "    {\"${name}\",\n${body}},\n")
    math(EXPR count "${count} + 1")
endforeach()
fabricscope_write_if_changed(${OUTPUT}
    "// Generated from topologies/designs/*.json; do not edit.\n#include \"topologies/model/reference-designs.h\"\n\nnamespace fab::topo\n{\nconst EmbeddedDesign kEmbeddedDesigns[] = {\n${entries}};\nconst unsigned kEmbeddedDesignCount = ${count};\n} // namespace fab::topo\n")
