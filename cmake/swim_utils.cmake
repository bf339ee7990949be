# Warnings for our own targets only (linked PRIVATE, never exported).
add_library(swim_project_options INTERFACE)
target_compile_options(swim_project_options INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow
        -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough>
    $<$<AND:$<CXX_COMPILER_ID:GNU,Clang>,$<BOOL:${SWIM_WARNINGS_AS_ERRORS}>>:-Werror>)
install(TARGETS swim_project_options EXPORT swimTargets)
