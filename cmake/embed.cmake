# civicloop_embed(OUT file...) writes OUT, a C++ file that holds each file's bytes and a lookup
# civicloop::embedded::find("dir/name") -> std::optional<std::string_view>, keyed by the file's
# parent directory name and file name ("sqlite/0001_init.sql", "api/openapi.json").
# civicloop_embed_ns(OUT NAMESPACE file...) does the same in civicloop::NAMESPACE, for a library
# that may not link the one above (src/http/ embeds its error catalogue).
function(civicloop_embed out)
  civicloop_embed_ns(${out} embedded ${ARGN})
endfunction()

function(civicloop_embed_ns out ns)
  set(entries "")
  set(index 0)
  set(body "#include <optional>\n#include <string_view>\n#include <utility>\n\nnamespace {\n")
  foreach(file IN LISTS ARGN)
    file(READ ${file} hex HEX)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
    get_filename_component(name ${file} NAME)
    get_filename_component(dir ${file} DIRECTORY)
    get_filename_component(dir ${dir} NAME)
    string(LENGTH "${hex}" hexlen)
    math(EXPR len "${hexlen} / 2")
    string(APPEND body "const char kData${index}[] = {${bytes} 0};\n")
    string(APPEND entries "    {\"${dir}/${name}\", std::string_view(kData${index}, ${len})},\n")
    math(EXPR index "${index} + 1")
  endforeach()
  string(APPEND body "const std::pair<std::string_view, std::string_view> kFiles[] = {\n${entries}    {\"\", \"\"}};\n}  // namespace\n\n")
  string(APPEND body "namespace civicloop::${ns} {\n"
    "std::optional<std::string_view> find(std::string_view name) {\n"
    "  for (const auto& [key, data] : kFiles) {\n"
    "    if (!key.empty() && key == name) return data;\n"
    "  }\n  return std::nullopt;\n}\n"
    "// Every embedded name that starts with prefix, in the order given to CMake (sorted by glob).\n"
    "std::size_t count() { return sizeof(kFiles) / sizeof(kFiles[0]) - 1; }\n"
    "std::string_view name_at(std::size_t i) { return kFiles[i].first; }\n"
    "}  // namespace civicloop::${ns}\n")
  file(WRITE ${out}.tmp "${body}")
  file(COPY_FILE ${out}.tmp ${out} ONLY_IF_DIFFERENT)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ARGN})
endfunction()
